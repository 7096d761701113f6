// `axum approve ENV`: deploys the release waiting for approval; on a paused environment, keeps what
// serves as live and verified (nothing is deployed by that) and lets what the pause held go on.
import { approvalScopeText, type EnvironmentView, type RevisionView } from '@axum/protocol';
import { servingOf } from '../state/selectors.js';
import { EXIT, CliError, type ExitCode } from './exit-codes.js';
import type { GlobalOptions, Output } from './output.js';
import { awaitOperation, call, withDaemon } from './runs.js';
import { diffFromLive } from './confirm-prompt.js';
import { revisionJson } from './revision-json.js';
import { approveRefusal } from './refusals.js';
import { by, confirm, environment, nextRunDoes, OPERATION_TIMEOUT_MS, revisionResult } from './environments.js';

/** `axum approve ENV [--yes] [--force]`. */
export async function approveCommand(envName: string, options: GlobalOptions & { yes?: boolean; force?: boolean }, out: Output): Promise<ExitCode> {
  return withDaemon(options, 'axum-approve', async (connection) => {
    const env = await environment(connection, envName);
    // Refused before anything is asked (a bad release, a busy environment, nothing waiting), in the daemon's words.
    const releases = env.paused || env.pendingReleaseId ? await call(connection, 'releases.list', {}) : [];
    const refusal = approveRefusal(env, releases, options.force);
    if (refusal) throw new CliError(refusal, EXIT.failed);
    // The release this command names is the one approved, or the daemon refuses (it changed in between).
    const seen = (env.paused ? servingOf(env)?.releaseId : env.pendingReleaseId) ?? undefined;
    const approve = () =>
      awaitOperation(call(connection, 'env.approve', { env: envName, force: options.force ?? false, by: by('approve'), ...(seen ? { releaseId: seen } : {}) }, OPERATION_TIMEOUT_MS), `approval of ${envName}`, `axum history ${envName}`, options.json === true);
    if (env.paused) {
      // Paused (ARCHITECTURE.md, glossary: Inconclusive): approving keeps what serves, as live and verified by this person.
      const then = heldAfterPause(env);
      // Said before the question and with the answer: a monitor failing now pauses it again soon after.
      const failing = monitorFailing(env);
      // Said before too: approving here does not carry to the environment the release goes to next.
      await confirm(env, `keep #${env.paused.revision} in ${env.name} as live and verified, and lift the pause${then ? `; ${then}` : ''}${failing ? ` (${failing})` : ''}`, options.yes, async () => [approvalScopeText(env.name)]);
      const revision = await approve();
      if (options.json) out.json(revisionJson(revision));
      else out.lines([...acceptedLines(env, revision), ...(failing ? [`warning: ${failing}`] : [])]);
      return EXIT.ok;
    }
    await confirm(env, `deploy ${env.pendingReleaseId ?? ''} to ${env.name}`, options.yes, diffFromLive(connection, env, env.pendingReleaseId ?? ''));
    return revisionResult(envName, await approve(), options, out);
  });
}

/** What lifting the pause does with the release it held back: deploys next, or stays held by a pin. Null when none was held. */
function heldAfterPause(env: Pick<EnvironmentView, 'name' | 'pinned' | 'heldReleaseId'>): string | null {
  if (!env.heldReleaseId) return null;
  return env.pinned ? `${env.heldReleaseId} stays held by the pin (axum unpin ${env.name} deploys it)` : `${env.heldReleaseId}, held back by the pause, deploys next`;
}

/**
 * Why the pause may come back at once, or null: the live revision's newest monitor check failed or
 * was inconclusive, and the accepted revision is monitored the same way.
 */
export function monitorFailing(env: Pick<EnvironmentView, 'name' | 'live' | 'lastCheck'>): string | null {
  const check = env.lastCheck;
  if (!check || check.passed || !env.live) return null;
  const next = check.inconclusive ? `${env.name} pauses again` : 'it is an incident';
  return `the monitor is failing now: its last check of #${env.live.revision} (${check.step}) ${check.inconclusive ? 'was inconclusive' : 'failed'}; if the next checks are so too, ${next} (axum logs ${env.name}#${env.live.revision} --step ${check.step})`;
}

/**
 * An approve of a paused environment in words: the release that serves was kept, nothing was
 * deployed, the pause is lifted, what becomes of the release it held back, and that the approval is
 * this environment's only. `env` is the view before the approve.
 */
export function acceptedLines(env: Pick<EnvironmentView, 'name' | 'pinned' | 'heldReleaseId' | 'approval'>, revision: RevisionView): string[] {
  const kept = `${env.name} #${revision.revision}: kept ${revision.releaseId} (${revision.commit.slice(0, 8)}), which serves, as live and verified — nothing was deployed`;
  const then = heldAfterPause(env);
  return [kept, `${env.name}: pause lifted; ${then ?? `no release was held back (${nextRunDoes(env)})`}`, `${env.name}: ${approvalScopeText(env.name)}`];
}
