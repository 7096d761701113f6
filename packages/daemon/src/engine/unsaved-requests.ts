// A request whose records cannot be saved — a full disk, a read-only `.axum` — is not done: what
// it changed in memory is put back as the records are (memory never runs ahead of them), and the
// answer says why in one line with exit 1, never as a failure of the daemon (exit 3).
import type { RevisionView } from '@axum/protocol';
import type { EnvironmentDocument } from '../domain/revisions.js';
import { RequestFailure } from './pipeline.js';

/** The disk's words for each error a save may meet, and what a person does about it. */
const DISK_WORDS: Readonly<Record<string, { words: string; fix: string }>> = {
  ENOSPC: { words: 'the disk is full', fix: 'make room on the disk that holds .axum and ask again' },
  EDQUOT: { words: 'the disk quota is used up', fix: 'make room on the disk that holds .axum and ask again' },
  EROFS: { words: 'the filesystem is read-only', fix: '.axum must be writable for the daemon to record anything' },
  EACCES: { words: 'permission denied', fix: 'the daemon must be able to write under .axum' },
  EPERM: { words: 'permission denied', fix: 'the daemon must be able to write under .axum' },
  EIO: { words: 'the disk failed to write', fix: 'check the disk that holds .axum' },
};

/** `the disk is full (ENOSPC: no space left on device)`, or null for an error that is not the disk's. */
export function diskProblem(err: unknown): { text: string; fix: string } | null {
  const e = err as NodeJS.ErrnoException | null;
  const code = e?.code;
  if (code === undefined || !Object.hasOwn(DISK_WORDS, code)) return null;
  const { words, fix } = DISK_WORDS[code]!;
  // Node's message ends with the call that failed (`, write`, `, open '/…'`): not a person's business.
  const detail = String(e?.message ?? '').replace(`${code}: `, '').replace(/, \w+( '.*')?$/, '');
  return { text: `${words} (${code}: ${detail})`, fix };
}

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
