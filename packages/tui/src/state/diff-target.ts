// What a confirmation's pre-action diff compares: what serves in the environment that moves, and
// the release it would serve after. A rollback, an approve and a promote all show it, as the CLI's
// prompts do (commands/confirm-prompt.ts).
import type { PendingAction, TuiState } from './tui-types.js';

/** The environment that moves and the release it would serve, or null when the action moves none (or nothing is known to move to). */
export function diffTarget(action: PendingAction, state: TuiState): { env: string; target: string | undefined } | null {
  const envOf = (name: string) => state.daemon?.environments.find((e) => e.name === name);
  if (action.kind === 'rollback') {
    const env = envOf(action.env);
    const target = action.releaseId ?? (action.to === null ? env?.rollbackTarget?.releaseId : state.histories[action.env]?.find((r) => r.revision === action.to)?.releaseId);
    return { env: action.env, target };
  }
  // Approving a pause keeps what serves: nothing changes to show.
  if (action.kind === 'approve') return envOf(action.env)?.paused ? null : { env: action.env, target: action.releaseId };
  if (action.kind === 'promote') return { env: action.to, target: action.releaseId };
  return null;
}
