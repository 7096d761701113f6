import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PIPELINE_SCHEMA_PATH, pipelineJsonSchema } from './pipeline-json-schema.js';

describe('the committed JSON Schema', () => {
  it('is exactly what the zod schema generates (run `pnpm schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', PIPELINE_SCHEMA_PATH), 'utf8')) as unknown;
    expect(committed).toEqual(pipelineJsonSchema());
  });

  it('forbids unknown keys and requires version, environments and stages', () => {
    const schema = pipelineJsonSchema() as { required: string[]; additionalProperties: boolean };
    expect(schema.required.sort()).toEqual(['environments', 'stages', 'version']);
    expect(schema.additionalProperties).toBe(false);
  });
});
