// A request whose records cannot be saved — a full disk, a read-only `.axum` — is not done: what
// it changed in memory is put back as the records are (memory never runs ahead of them), and the
// answer says why in one line with exit 1, never as a failure of the daemon (exit 3). One
// mechanism for every request: the environment's document is snapshotted before the request
// changes it and after each of its saves, and a save that fails puts the last snapshot back.
import type { RevisionView } from '@axum/protocol';
import { diskProblem } from '../domain/disk-errors.js';
import type { EnvironmentDocument } from '../domain/revisions.js';
import type { EnvironmentCoordinator } from './environment-coordinator-api.js';
import { RequestFailure } from './pipeline.js';

/** The answer to a request whose save failed on the disk; any other error is a bug and goes on up. */
export function unsavedFailure(what: string, err: unknown): RequestFailure {
  const problem = diskProblem(err);
  if (problem === null) throw err;
  return new RequestFailure('refused', `${what} could not be recorded: ${problem.text}; nothing changed (${problem.fix})`);
}

/** Makes `target` hold exactly the fields of `was` (which it takes). */
function putBack(target: object, was: object): void {
  for (const key of Object.keys(target)) if (!Object.hasOwn(was, key)) delete (target as Record<string, unknown>)[key];
  Object.assign(target, was);
}

/**
 * Puts `doc` back as it is now, in place: the same document, the same list and the same revision
 * objects (an operation and the monitor hold them), with their fields as they were now; revisions
 * added since go.
 */
export function snapshotOf(doc: EnvironmentDocument): () => void {
  const objects = doc.revisions.slice();
  const { revisions, ...fields } = structuredClone(doc);
  return () => {
    const list = doc.revisions;
    putBack(doc, { ...structuredClone(fields), revisions: list });
    objects.forEach((revision, i) => putBack(revision, structuredClone(revisions[i]!)));
    list.splice(0, list.length, ...objects);
  };
}

/** What a request does to one environment's records: saves that memory follows, operations whose revision may never reach the disk. */
export interface RequestRecords {
  /** Saves the document; when the disk refuses, memory is put back as it was saved last (or before the request) and clients are told. */
  save(what: string): Promise<RequestFailure | null>;
  /**
   * The answer of an operation the request started: one whose revision never reached the disk is
   * taken back from memory with everything the request changed, and answered with the disk's reason.
   */
  operated<T>(what: string, result: T | RequestFailure): T | RequestFailure;
  /** True once the disk refused a save and memory was put back: nothing more of the request is done. */
  readonly putBack: boolean;
}

/** Starts a request on `env`'s document: call before the request changes it. */
export function requestRecords(env: string, doc: EnvironmentDocument, environments: Pick<EnvironmentCoordinator, 'save' | 'unrecorded'>, publish: (env: string) => void): RequestRecords {
  let restore = snapshotOf(doc);
  let putBack = false;
  const takeBack = (what: string, err: unknown) => {
    const failure = unsavedFailure(what, err);
    restore();
    putBack = true;
    publish(env);
    return failure;
  };
  return {
    get putBack() {
      return putBack;
    },
    async save(what) {
      try {
        await environments.save(env);
      } catch (err) {
        return takeBack(what, err);
      }
      restore = snapshotOf(doc);
      return null;
    },
    operated(what, result) {
      if (result instanceof RequestFailure) return result; // nothing recorded: the request says what stands
      const unsaved = environments.unrecorded(result as RevisionView);
      if (unsaved !== undefined) return takeBack(what, unsaved);
      restore = snapshotOf(doc);
      return result;
    },
  };
}
