// One revision as every `--json` prints it (`history`, `history --at`, and the revision `deploy`,
// `rollback`, `promote`, `approve` and `unpin` answer with): one shape, so a script reads them alike.
import type { RevisionView } from '@axum/protocol';

/**
 * The revision with `reason`: why it failed or what it did, the same text as `message` (null
 * otherwise). `reason` is the field's name in the documented minimum of a revision; `message`
 * stays for the scripts that read it already.
 */
export function revisionJson<R extends RevisionView>(revision: R): R & { reason: string | null } {
  return { ...revision, reason: revision.message ?? null };
}
