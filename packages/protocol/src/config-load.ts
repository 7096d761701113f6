import type { PipelineConfig } from './pipeline-config.js';
import type { ConfigProblem } from './state.js';

/** The outcome of reading `axum.yml`: a valid config, or every problem with its line and column. */
export type ConfigLoad = { ok: true; config: PipelineConfig } | { ok: false; errors: ConfigProblem[] };
