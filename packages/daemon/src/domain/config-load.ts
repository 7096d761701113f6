import type { ConfigProblem } from '@axum/protocol';
import type { PipelineConfig } from './config-schema.js';

/** The outcome of reading `axum.yml`: a valid config, or every problem with its line and column. */
export type ConfigLoad = { ok: true; config: PipelineConfig } | { ok: false; errors: ConfigProblem[] };
