import { noStepText, type LogChunk } from '@axum/protocol';
import type { EnvironmentDocument } from '../domain/revisions.js';
import { operationLogId } from './deploy-operation.js';
import { monitorCheckLogId } from './monitor.js';
import { RequestFailure } from './pipeline.js';
import { logChunkOf } from './log-chunk.js';
import type { LogStore } from './ports.js';

/** `production#7` → `{ env: 'production', revision: 7 }`; null for anything else (a run id). */
export function parseRevisionAddress(address: string): { env: string; revision: number } | null {
  const match = /^(.+)#(\d{1,9})$/.exec(address);
  return match?.[1] && match[2] ? { env: match[1], revision: Number(match[2]) } : null;
}

/** What reading an operation's log needs from deployments. */
export interface OperationLogHost {
  docs: ReadonlyMap<string, EnvironmentDocument>;
  docOf(env: string): Promise<EnvironmentDocument>;
  /** True for an environment with a config entry or records. */
  known(env: string): boolean;
  /** True while the release is recorded: a revision's logs go with its release (release retention). */
  recorded(releaseId: string): boolean;
  logs: LogStore;
}

/**
 * Reads a step of a revision's operations (`ENV#N`, step `smoke` or `check-12`) from a byte offset,
 * as `logs.read` does for a run's step: cut at a newline, complete once the step ended and its log
 * is closed. A step cut short by a crash is `interrupted` and its log the prefix it wrote.
 */
export async function readOperationLog(params: { address: string; step: string; offset: number; limit: number }, host: OperationLogHost): Promise<LogChunk | RequestFailure> {
  const at = parseRevisionAddress(params.address);
  if (!at) return new RequestFailure('invalid-params', `${params.address} is not ENV#N (a revision, e.g. production#7)`);
  if (!host.known(at.env)) return new RequestFailure('not-found', `no environment ${at.env}`);
  const doc = host.docs.get(at.env) ?? (await host.docOf(at.env));
  const revision = doc.revisions.find((r) => r.revision === at.revision);
  if (!revision) {
    const last = doc.revisions.at(-1)?.revision;
    return new RequestFailure('not-found', `no revision ${params.address} (${at.env} has ${last ? `#1–#${last}` : 'no revisions yet'})`);
  }
  // Retention took the release and its operations' logs with it: say so, rather than print nothing.
  if (!host.recorded(revision.releaseId)) return new RequestFailure('not-found', `${params.address}'s logs went with its release ${revision.releaseId}, pruned by history.keepReleases`);
  const step = revision.steps.find((s) => s.name === params.step);
  if (!step) return new RequestFailure('not-found', noStepText(params.address, params.step, revision.steps.map((s) => s.name), 'none: it ran no deploy hook, verify step or monitor check'));
  const [logId, file] = step.stage === 'monitor' ? [monitorCheckLogId(at.env, revision, Number(step.name.slice('check-'.length))), 'check'] : [operationLogId(at.env, revision), step.name];
  const ended = step.status !== 'pending' && step.status !== 'running';
  return logChunkOf(params.address, params.step, params.offset, await host.logs.read(logId, file, params.offset, params.limit), ended);
}
