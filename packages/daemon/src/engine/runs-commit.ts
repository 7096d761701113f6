import type { RunView } from '@axum/protocol';
import { toRunView, type RunRecord, type RunsDocument } from '../domain/history.js';
import type { RunsStore } from './ports.js';
import { RequestFailure } from './pipeline.js';
import { diskProblem } from '../domain/disk-errors.js';
import { maskRunRecord } from '../domain/secret-book.js';
import { boundRunRecord } from '../domain/outside-text.js';

/**
 * How the pipeline persists the runs history: every transition saved (coalesced, durable) before
 * it is published. A save that fails (a full disk) fails the operation that asked for it, is said
 * to clients once, and the runs it held back are published by the next save that succeeds: the
 * daemon goes on serving meanwhile (RELIABILITY.md, file-system errors).
 */
export function createRunsCommit(deps: {
  store: RunsStore;
  loaded(): RunsDocument;
  findRun(runId: string): RunRecord | undefined;
  publish(run: RunView): void;
  warn(message: string): void;
  logActivity(runId: string, step: string): void;
  /** Masks the registered secrets in a text: a record's text from outside (a symlink target in a message) is masked before it is saved or shown. */
  mask(text: string): string;
}) {
  /** Runs changed in place that the next save must write (the store writes only changed runs). */
  const touched = new Set<string>();
  const touch = (run: RunRecord): void => void touched.add(run.id);
  /** Why the history could not be saved, while it cannot: said once, and again when it can. */
  let saveFailing: string | null = null;

  /** Persists the history, then tells clients about the run (and any a failed save held back). */
  const commit = async (run: RunRecord | null): Promise<void> => {
    if (run) touch(run);
    const changed = [...touched];
    touched.clear();
    for (const id of changed) {
      const changedRun = id === run?.id ? run : deps.findRun(id);
      if (!changedRun) continue;
      maskRunRecord(changedRun, deps.mask);
      boundRunRecord(changedRun);
    }
    try {
      await deps.store.save(deps.loaded(), changed);
    } catch (err) {
      // Nothing unsaved is published; the store keeps these runs for its next write, and so do we.
      for (const id of changed) touched.add(id);
      const reason = (err as Error).message;
      if (saveFailing === null) deps.warn(`the runs history could not be saved (${reason}); runs that change meanwhile are shown once it can be written again`);
      saveFailing = reason;
      throw err;
    }
    if (saveFailing !== null) {
      saveFailing = null;
      deps.warn('the runs history is saved again');
    }
    for (const id of new Set([...changed, ...(run ? [run.id] : [])])) {
      const saved = id === run?.id ? run : deps.findRun(id);
      if (!saved) continue;
      deps.publish(toRunView(saved));
      // A step that ended completes its followers' streams.
      for (const step of saved.steps) if (step.status !== 'pending' && step.status !== 'running') deps.logActivity(saved.id, step.name);
    }
  };
  /** Whether `runId` changed since the last save that succeeded (memory holds it, the disk may not). */
  const unsaved = (runId: string): boolean => touched.has(runId);
  return { commit, touch, unsaved };
}

/**
 * The answer to a run request whose run could not be saved: the disk's reason in one line, exit 1,
 * as every request on a full disk; any other error is a bug and goes on up.
 */
export function unrecordedRun(what: string, err: unknown): RequestFailure {
  const problem = diskProblem(err);
  if (problem === null) throw err;
  return new RequestFailure('refused', `${what} could not be recorded: ${problem.text} (${problem.fix})`);
}
