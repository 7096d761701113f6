// A request whose records cannot be saved — a full disk, a read-only `.axum` — is not done: what
// it changed in memory is put back as the records are (memory never runs ahead of them), and the
// answer says why in one line with exit 1, never as a failure of the daemon (exit 3). One
// mechanism for every request: the document it changes (the environment's; the releases' for a
// mark) is snapshotted before the request changes it and after each of its saves, and a save that
// fails puts back what the request changed since.
import type { ReleaseView, RevisionView } from '@axum/protocol';
import { describeFsError, diskProblem } from '../domain/disk-errors.js';
import type { EnvironmentDocument, ReleasesDocument } from '../domain/revisions.js';
import type { EnvironmentCoordinator } from './environment-coordinator-api.js';
import { RequestFailure } from './pipeline.js';

/**
 * The answer to a request whose records the disk refused, with what could not be recorded and the
 * disk's words kept apart: a request that goes on after it (an unpin whose deploy the disk refused)
 * says them in its own answer.
 */
export class UnsavedFailure extends RequestFailure {
  constructor(
    readonly what: string,
    readonly problem: { text: string; fix: string },
  ) {
    super('refused', `${what} could not be recorded: ${problem.text}; nothing changed (${problem.fix})`);
  }
}

/** The answer to a request whose save failed on the disk; any other error is a bug and goes on up. */
export function unsavedFailure(what: string, err: unknown): UnsavedFailure {
  const problem = diskProblem(err);
  if (problem === null) throw err;
  return new UnsavedFailure(what, problem);
}

/**
 * Why a deploy no request answers (a push's, a queued one's) was not deployed: its revision (or
 * `what` else: its place in the queue, its wait) never reached the disk. `why` in the disk's words,
 * `retry` what a person does about it.
 */
export function unrecordedDeploy(env: string, releaseId: string, err: unknown, what = 'deploy'): { why: string; retry: string } {
  const problem = diskProblem(err);
  const again = `axum deploy ${env} --release ${releaseId}`;
  return {
    why: `its ${what} could not be recorded: ${problem?.text ?? describeFsError(err)}`,
    retry: problem ? `${problem.fix}: ${again}` : `${again} deploys it`,
  };
}

/** A document as it was: its fields, and each object of its kept list (revisions, releases) with its fields, copied. */
interface Snapshot<T extends object = RevisionView> {
  fields: Record<string, unknown>;
  kept: Map<T, T>;
}

/**
 * A document whose objects in `key` (an environment's revisions, the releases) others hold too (an
 * operation, the monitor): they are put back in place, never replaced.
 */
type Kept<T extends object, K extends string> = Record<K, T[]>;

function snapshotIn<T extends object, K extends string>(doc: Kept<T, K>, key: K): Snapshot<T> {
  const { [key]: kept, ...fields } = doc;
  return { fields: structuredClone(fields), kept: new Map(kept.map((item) => [item, structuredClone(item)])) };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function undoIn<T extends object, K extends string>(doc: Kept<T, K>, key: K, was: Snapshot<T>): () => void {
  const { [key]: kept, ...fields } = doc;
  const current = fields as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(current), ...Object.keys(was.fields)])].filter((name) => !same(current[name], was.fields[name]));
  const changed = [...was.kept].filter(([item, copy]) => !same(item, copy));
  const added = new Set(kept.filter((item) => !was.kept.has(item)));
  const target = doc as unknown as Record<string, unknown>;
  return () => {
    for (const name of keys) {
      if (Object.hasOwn(was.fields, name)) target[name] = structuredClone(was.fields[name]);
      else delete target[name];
    }
    for (const [item, copy] of changed) {
      for (const name of Object.keys(item)) if (!Object.hasOwn(copy, name)) delete (item as Record<string, unknown>)[name];
      Object.assign(item, structuredClone(copy));
    }
    const later = doc[key].filter((item) => !was.kept.has(item) && !added.has(item));
    doc[key].splice(0, doc[key].length, ...was.kept.keys(), ...later);
  };
}

/** Copies an environment's document as it is now. */
export function snapshotOf(doc: EnvironmentDocument): Snapshot {
  return snapshotIn<RevisionView, 'revisions'>(doc, 'revisions');
}

/**
 * How to undo what changed in `doc` since `was`, measured now: the fields and revisions that
 * differ are put back in place (the same revision objects: an operation and the monitor hold
 * them), revisions added since go. What changes after this measure (another writer, while a save
 * awaits) is left as it is.
 */
export function undoSince(doc: EnvironmentDocument, was: Snapshot): () => void {
  return undoIn<RevisionView, 'revisions'>(doc, 'revisions', was);
}

/** What a request's saves of one document do: memory follows them. */
export interface DocumentRecords {
  /** Saves the document; when the disk refuses, memory is put back as it was saved last (or before the request) and clients are told. */
  save(what: string): Promise<RequestFailure | null>;
  /** True once the disk refused a save and memory was put back: nothing more of the request is done. */
  readonly putBack: boolean;
}

/**
 * Starts a request on a document (call before the request changes it): `write` saves it, `told`
 * tells clients it changed. A save that fails puts back what the request changed since the last
 * one (whatever the error: memory never runs ahead of the records) and answers the disk's reason;
 * any other error goes on up.
 */
function documentRecords<T extends object, K extends string>(doc: Kept<T, K>, key: K, write: () => Promise<void>, told: () => void) {
  let saved = snapshotIn(doc, key);
  let putBack = false;
  const takeBack = (what: string, err: unknown, undo: () => void) => {
    undo();
    putBack = true;
    told();
    return unsavedFailure(what, err);
  };
  return {
    get putBack() {
      return putBack;
    },
    async save(what: string) {
      const undo = undoIn(doc, key, saved); // what this request changed, not what others change while the save awaits
      try {
        await write();
      } catch (err) {
        return takeBack(what, err, undo);
      }
      saved = snapshotIn(doc, key);
      return null;
    },
    /** Memory put back as it was saved last, for a failure the records had no part in. */
    takeBack: (what: string, err: unknown) => takeBack(what, err, undoIn(doc, key, saved)),
    /** What is in memory now is what the records hold. */
    recorded: () => void (saved = snapshotIn(doc, key)),
  };
}

/** A request's change of the releases document (a mark): saved before it answers, put back when the disk refuses. */
export function releaseRecords(doc: ReleasesDocument, write: () => Promise<void>, told: () => void): DocumentRecords {
  return documentRecords<ReleaseView, 'releases'>(doc, 'releases', write, told);
}

/** What a request does to one environment's records: saves that memory follows, operations whose revision may never reach the disk. */
export interface RequestRecords extends DocumentRecords {
  /**
   * The answer of an operation the request started: one whose revision never reached the disk is
   * taken back from memory with everything the request changed, and answered with the disk's reason
   * (an `UnsavedFailure`).
   */
  operated<T>(what: string, result: T | RequestFailure): T | RequestFailure;
}

/** Starts a request on `env`'s document: call before the request changes it. */
export function requestRecords(env: string, doc: EnvironmentDocument, environments: Pick<EnvironmentCoordinator, 'save' | 'unrecorded'>, publish: (env: string) => void): RequestRecords {
  const records = documentRecords<RevisionView, 'revisions'>(doc, 'revisions', () => environments.save(env), () => publish(env));
  return {
    get putBack() {
      return records.putBack;
    },
    save: (what) => records.save(what),
    operated(what, result) {
      if (result instanceof RequestFailure) return result; // nothing recorded: the request says what stands
      const unsaved = environments.unrecorded(result as RevisionView);
      // The environment was the operation's while it ran: all that changed since is the request's.
      if (unsaved !== undefined) return records.takeBack(what, unsaved);
      records.recorded();
      return result;
    },
  };
}
