import type { RevisionView } from '@axum/protocol';
import { MIN_SECRET_LENGTH, textMasker } from './masker.js';
import type { RunRecord } from './history.js';

/**
 * Every secret value the daemon has been told of (the config in use, each run's and each
 * release's own config): what a line built from outside text (an artifact path, a symlink target,
 * git's output, an error) is masked with before it is stored, logged or sent. A value never leaves
 * the book: a secret a config no longer lists may still be in a symlink a run made with it.
 */
export interface SecretBook {
  /** Registers the values of `names` in `env` (an unset or too short one masks nothing). */
  addNames(names: readonly string[], env: Record<string, string | undefined>): void;
  add(values: readonly string[]): void;
  mask(text: string): string;
}

export function createSecretBook(): SecretBook {
  const values = new Set<string>();
  let masker: ((text: string) => string) | null = null;
  const book: SecretBook = {
    addNames(names, env) {
      book.add(names.map((name) => (Object.hasOwn(env, name) ? (env[name] ?? '') : '')));
    },
    add(added) {
      let grew = false;
      for (const value of added) {
        if (Buffer.byteLength(value) < MIN_SECRET_LENGTH || values.has(value)) continue;
        values.add(value);
        grew = true;
      }
      if (grew) masker = textMasker([...values]);
    },
    mask: (text) => (masker === null || text.length === 0 ? text : masker(text)),
  };
  return book;
}

/** The text fields of a run record, masked in place (they are what outside text reaches). */
export function maskRunRecord(run: RunRecord, mask: (text: string) => string): void {
  if (run.message !== null) run.message = mask(run.message);
  if (run.warnings.length > 0) run.warnings = run.warnings.map(mask);
  run.subject = mask(run.subject);
  if (run.lead !== undefined) run.lead = mask(run.lead);
}

/** The text fields of an environment's history, masked in place: its incident and each revision's message. */
export function maskEnvironmentText(doc: { incident: string | null; revisions: RevisionView[] }, mask: (text: string) => string): void {
  if (doc.incident !== null) doc.incident = mask(doc.incident);
  for (const revision of doc.revisions) if (revision.message !== null) revision.message = mask(revision.message);
}
