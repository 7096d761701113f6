// A confirmation shows the state it was asked in; when that state moves under it, what it shows is no longer what would be done.
import type { DaemonState, EnvironmentView } from '@axum/protocol';
import type { Confirm } from './tui-types.js';

/** What a confirmation about an environment depends on: what serves, waits, is held, pinned, paused, or under way there. */
function fingerprint(env: EnvironmentView | undefined): string {
  if (!env) return 'gone';
  return [env.live?.revision, env.serving?.revision, env.pendingReleaseId, env.heldReleaseId, env.pinned, env.paused?.revision, env.operation?.revision].map((v) => String(v ?? '-')).join('|');
}

const fingerprints = (daemon: DaemonState | null, envs: readonly string[]): string => envs.map((name) => fingerprint(daemon?.environments.find((e) => e.name === name))).join(',');

/** The watch a confirmation about `envs` carries: `key` is the key that asks again. */
export function watchOf(daemon: DaemonState | null, envs: readonly string[], key: string): NonNullable<Confirm['watch']> {
  return { envs: [...envs], shown: fingerprints(daemon, envs), key };
}

/** The notice that closes a confirmation whose environments changed under it, or null while it still shows the truth. */
export function staleConfirmNotice(confirm: Confirm | null, daemon: DaemonState | null): string | null {
  const watch = confirm?.watch;
  if (!watch || fingerprints(daemon, watch.envs) === watch.shown) return null;
  const changed = watch.envs.filter((name, i) => fingerprints(daemon, [name]) !== watch.shown.split(',')[i]);
  return `${(changed.length > 0 ? changed : watch.envs).join(' and ')} changed while you were confirming: nothing done; press ${watch.key} again`;
}
