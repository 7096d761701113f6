import { z } from 'zod/mini';
import { PipelineConfigSchema } from './pipeline-config.js';

/** Where the generated JSON Schema is committed, relative to the Axum checkout. */
export const PIPELINE_SCHEMA_PATH = 'schema/axum.schema.json';

/**
 * The JSON Schema of `axum.yml` for editors (yaml-language-server), generated from the same zod
 * schema the daemon validates with, so the two cannot drift. Input shape: defaults are optional.
 */
export function pipelineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PipelineConfigSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  return {
    ...schema,
    title: 'axum.yml',
    description: 'The pipeline file of a repository deployed by Axum.',
  };
}
