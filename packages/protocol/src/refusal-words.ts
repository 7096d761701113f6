// Refusals said both by the daemon (when it refuses) and by the CLI and the TUI (before they ask for
// a confirmation the daemon would refuse): one wording, so `--yes`, a terminal and the TUI read the same.
import { markTime } from './bad-mark-words.js';
import { nearestWord } from './nearest-word.js';

/** A rollback whose target holds the release that serves already: nothing would move. */
export function liveAlreadyText(target: number, live: { revision: number; releaseId: string }): string {
  return `#${target} has the release that is live already (${live.releaseId} in #${live.revision})`;
}

/** Nothing waits for approval in `env`: why, and what would let a release through (a pin holds one back). */
export function nothingToApproveText(env: string, pin: { pinned: boolean; heldReleaseId: string | null }): string {
  if (pin.pinned && pin.heldReleaseId) return `nothing is waiting for approval in ${env}: ${pin.heldReleaseId} is held by the pin (axum unpin ${env} deploys it)`;
  if (pin.pinned) return `nothing is waiting for approval in ${env}: it is pinned, new releases are held back (axum unpin ${env} lets them through)`;
  return `nothing is waiting for approval in ${env}`;
}

/** `run-9 has no step tran (did you mean train?; steps: unit, train)`: `none` when it has no steps at all. */
export function noStepText(owner: string, step: string, steps: readonly string[], none: string): string {
  const meant = nearestWord(step, steps);
  return `${owner} has no step ${step} (${meant ? `did you mean ${meant}?; ` : ''}steps: ${steps.join(', ') || none})`;
}

/**
 * One operation at a time per environment: a request that needs `env` while `op` holds it is
 * refused with when to ask again, what holds it, who started it and since when, and what to do instead of retrying blind.
 */
export function busyText(env: string, op: { revision: number; kind: string; holder: string; startedAt: string }): string {
  // What to do first: the TUI's footer shows a refusal on two rows at 80 columns, and cuts the rest.
  return `${env} is busy: ask again once #${op.revision} has ended (${op.kind} by ${op.holder} since ${markTime(op.startedAt)}; axum history ${env} shows it)`;
}
