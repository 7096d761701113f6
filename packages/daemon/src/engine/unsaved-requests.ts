// A request whose records cannot be saved — a full disk, a read-only `.axum` — is not done: what
// it changed in memory is put back as the records are (memory never runs ahead of them), and the
// answer says why in one line with exit 1, never as a failure of the daemon (exit 3).
import type { RevisionView } from '@axum/protocol';
import type { EnvironmentDocument } from '../domain/revisions.js';
import { diskProblem } from '../domain/disk-errors.js';
import { RequestFailure } from './pipeline.js';

/** The answer to a request whose save failed on the disk; any other error is a bug and goes on up. */
export function unsavedFailure(what: string, err: unknown): RequestFailure {
  const problem = diskProblem(err);
  if (problem === null) throw err;
  return new RequestFailure('refused', `${what} could not be recorded: ${problem.text}; nothing changed (${problem.fix})`);
}

/**
 * Saves `env` for a request; when the disk refuses, `undo` puts memory back as the records are,
 * clients are told what stands, and the request is answered with the disk's reason.
 */
export async function savedOrUndone(save: () => Promise<void>, publish: () => void, what: string, undo: () => void): Promise<RequestFailure | null> {
  try {
    await save();
    return null;
  } catch (err) {
    undo();
    publish();
    return unsavedFailure(what, err);
  }
}

/**
 * An operation whose revision never reached the disk (its first save failed) left nothing in the
 * records: its revision and the incident it raised go from memory too, and the request that asked
 * for it is answered with the disk's reason. Null when the operation was recorded.
 */
export function takeBackUnrecorded(doc: EnvironmentDocument, result: RevisionView | RequestFailure, unsaved: unknown, incidentBefore: string | null, what: string): RequestFailure | null {
  if (result instanceof RequestFailure || unsaved === undefined) return null;
  const at = doc.revisions.indexOf(result);
  if (at >= 0) doc.revisions.splice(at, 1);
  doc.incident = incidentBefore;
  return unsavedFailure(what, unsaved);
}
