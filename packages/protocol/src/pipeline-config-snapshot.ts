import { z } from 'zod/mini';
import type { PipelineConfig } from './pipeline-config.js';

// Apart from pipeline-config.ts: every daemon message that carries a recorded config (the state's
// releases) needs only this check, and a client that imports it (`axum status`) should not build
// the whole axum.yml schema (~25 ms of zod at its start) to get it.

/**
 * A config as the daemon records it (a release's snapshot, the last valid config): a
 * `PipelineConfig` written by the daemon itself, so only its shape is checked on the way back.
 */
export const PipelineConfigSnapshot = z.custom<PipelineConfig>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { version?: unknown }).version === 1 && typeof (value as { environments?: unknown }).environments === 'object' && Array.isArray((value as { stages?: unknown }).stages),
  'a recorded axum.yml config',
);
