// How a bad mark is said when it stops someone (deploy, promote, approve, rollback): who marked the
// release, when and why, and the two ways on — force it, or clear the mark. Shared: the daemon
// refuses in these words, and the CLI says them before it asks for a confirmation it cannot use.
import type { ReleaseView } from './release.js';

export type BadMark = NonNullable<ReleaseView['bad']>;

/** `2026-12-04 07:29 UTC`: a mark's time as people read it (the JSON keeps the ISO time). */
export const markTime = (iso: string): string => (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso);

/** `rel-7 is marked bad by verify of staging#3 (2026-12-04 07:29 UTC): gate accuracy failed`. */
export function markedBad(releaseId: string, bad: BadMark, subject = releaseId): string {
  return `${subject} is marked bad by ${bad.by} (${markTime(bad.at)}): ${bad.why}`;
}

/** A refusal for a bad release: what the mark says, then `anyway` (how to force it) and how to clear it. */
export function badRefusal(releaseId: string, bad: BadMark, anyway: string, subject = releaseId): string {
  return `${markedBad(releaseId, bad, subject)} — ${anyway}, or clear the mark: axum mark ${releaseId} good`;
}
