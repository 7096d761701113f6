// A request whose records cannot be saved — a full disk, a read-only `.axum` — is not done: what
// it changed in memory is put back as the records are (memory never runs ahead of them), and the
// answer says why in one line with exit 1, never as a failure of the daemon (exit 3). One
// mechanism for every request: the environment's document is snapshotted before the request
// changes it and after each of its saves, and a save that fails puts back what the request changed
// since.
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

/** An environment's document as it was: its fields, and each revision object's fields, copied. */
interface Snapshot {
  fields: Record<string, unknown>;
  revisions: Map<RevisionView, RevisionView>;
}

/** Copies `doc` as it is now. */
export function snapshotOf(doc: EnvironmentDocument): Snapshot {
  const { revisions, ...fields } = doc;
  return { fields: structuredClone(fields), revisions: new Map(revisions.map((revision) => [revision, structuredClone(revision)])) };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * How to undo what changed in `doc` since `was`, measured now: the fields and revisions that
 * differ are put back in place (the same revision objects: an operation and the monitor hold
 * them), revisions added since go. What changes after this measure (another writer, while a save
 * awaits) is left as it is.
 */
export function undoSince(doc: EnvironmentDocument, was: Snapshot): () => void {
  const { revisions, ...fields } = doc;
  const current = fields as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(current), ...Object.keys(was.fields)])].filter((key) => !same(current[key], was.fields[key]));
  const changed = [...was.revisions].filter(([revision, copy]) => !same(revision, copy));
  const added = new Set(revisions.filter((revision) => !was.revisions.has(revision)));
  const target = doc as unknown as Record<string, unknown>;
  return () => {
    for (const key of keys) {
      if (Object.hasOwn(was.fields, key)) target[key] = structuredClone(was.fields[key]);
      else delete target[key];
    }
    for (const [revision, copy] of changed) {
      for (const key of Object.keys(revision)) if (!Object.hasOwn(copy, key)) delete (revision as unknown as Record<string, unknown>)[key];
      Object.assign(revision, structuredClone(copy));
    }
    const later = doc.revisions.filter((revision) => !was.revisions.has(revision) && !added.has(revision));
    doc.revisions.splice(0, doc.revisions.length, ...was.revisions.keys(), ...later);
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
  let saved = snapshotOf(doc);
  let putBack = false;
  const takeBack = (what: string, err: unknown, undo: () => void) => {
    const failure = unsavedFailure(what, err);
    undo();
    putBack = true;
    publish(env);
    return failure;
  };
  return {
    get putBack() {
      return putBack;
    },
    async save(what) {
      const undo = undoSince(doc, saved); // what this request changed, not what others change while the save awaits
      try {
        await environments.save(env);
      } catch (err) {
        return takeBack(what, err, undo);
      }
      saved = snapshotOf(doc);
      return null;
    },
    operated(what, result) {
      if (result instanceof RequestFailure) return result; // nothing recorded: the request says what stands
      const unsaved = environments.unrecorded(result as RevisionView);
      // The environment was the operation's while it ran: all that changed since is the request's.
      if (unsaved !== undefined) return takeBack(what, unsaved, undoSince(doc, saved));
      saved = snapshotOf(doc);
      return result;
    },
  };
}
