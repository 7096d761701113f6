// Regenerates schema/axum.schema.json from the zod schema (run after changing the pipeline schema).
import { writeFileSync } from 'node:fs';
import { pipelineJsonSchema, PIPELINE_SCHEMA_PATH } from '../packages/protocol/dist/index.js';

writeFileSync(new URL(`../${PIPELINE_SCHEMA_PATH}`, import.meta.url), `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`);
console.log(`wrote ${PIPELINE_SCHEMA_PATH}`);
