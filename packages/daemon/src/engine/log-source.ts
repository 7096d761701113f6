import { noStepText, type LogChunk } from '@axum/protocol';
import type { Deployments } from './deployments.js';
import { parseRevisionAddress } from './operation-logs.js';
import { RequestFailure, type Pipeline } from './pipeline.js';

/**
 * Every log a client can read or follow, addressed as `(runId, step, offset)`: `runId` is a run
 * (`run-12`, or `12`) or a revision's operations (`production#7`; ARCHITECTURE.md, glossary: "Operation").
 */
export interface LogSource {
  /** The canonical address of a step's log (`run-12` for `12`), or why there is none. */
  resolve(runId: string, step: string): Promise<string | RequestFailure>;
  readLog(params: { runId: string; step: string; offset: number; limit: number }): Promise<LogChunk | RequestFailure>;
  /** Calls `listener` when a log may have grown or its step may have ended. Returns how to stop. */
  onLogActivity(listener: (runId: string, step: string) => void): () => void;
}

/** Runs' logs from the pipeline, operations' logs from deployments. */
export function createLogSource(pipeline: Pick<Pipeline, 'get' | 'readLog' | 'onLogActivity'>, deployments: Pick<Deployments, 'readLog' | 'onLogActivity'>): LogSource {
  return {
    async resolve(runId, step) {
      if (parseRevisionAddress(runId)) {
        const probe = await deployments.readLog({ address: runId, step, offset: 0, limit: 1 });
        return probe instanceof RequestFailure ? probe : runId;
      }
      const run = pipeline.get(runId);
      if (run instanceof RequestFailure) return run;
      if (!run.steps.some((s) => s.name === step)) return new RequestFailure('not-found', noStepText(run.id, step, run.steps.map((s) => s.name), 'none yet'));
      return run.id;
    },
    readLog(params) {
      return parseRevisionAddress(params.runId) ? deployments.readLog({ address: params.runId, step: params.step, offset: params.offset, limit: params.limit }) : pipeline.readLog(params);
    },
    onLogActivity(listener) {
      const stopRuns = pipeline.onLogActivity(listener);
      const stopOperations = deployments.onLogActivity(listener);
      return () => {
        stopRuns();
        stopOperations();
      };
    },
  };
}
