// What a manual rollback says of the release it leaves, which it marks bad: the mark is the
// release's, so the other environments it is live in are named, before the question and after.
import type { EnvironmentView } from '@axum/protocol';
import { lastKnownGoodLosses } from '../state/releases.js';

/** The other environments `releaseId` is live in, as `staging #3`. */
const liveElsewhere = (releaseId: string, env: string, environments: readonly EnvironmentView[]): string[] =>
  environments.filter((e) => e.name !== env && e.live?.releaseId === releaseId).map((e) => `${e.name} #${e.live!.revision}`);

const lossesText = (releaseId: string, env: string, environments: readonly EnvironmentView[]): string => lastKnownGoodLosses(releaseId, env, environments).map((l) => `; ${l}`).join('');

/** A bad mark is the release's, not the environment's: the other environments it is live in, and the last known goods it takes, said before the question. */
export function alsoLiveText(releaseId: string, env: string, environments: readonly EnvironmentView[]): string {
  const elsewhere = liveElsewhere(releaseId, env, environments);
  return `${elsewhere.length > 0 ? ` everywhere, though it is live in ${elsewhere.join(', ')} too (it keeps serving there, marked bad)` : ''}${lossesText(releaseId, env, environments)}`;
}

/**
 * What a manual rollback says of the release it left: marked bad, how to clear it, where else it
 * is live — the mark does not move those environments, so nobody is surprised by their flag — and
 * the last known goods the mark took there.
 */
export function markedBadLine(releaseId: string, env: string, environments: readonly EnvironmentView[]): string {
  const elsewhere = liveElsewhere(releaseId, env, environments);
  return `${releaseId} marked bad (axum mark ${releaseId} good clears it)${elsewhere.length > 0 ? `; it is also live in ${elsewhere.join(', ')} and keeps serving there` : ''}${lossesText(releaseId, env, environments)}`;
}
