// What `axum logs` takes, said to someone who typed an environment or a branch instead: the
// address that names what they most likely wanted, from what the daemon shows now.
import type { DaemonState } from '@axum/protocol';
import { servingOf } from '../state/selectors.js';

/** A hint for `axum logs WORD` when WORD is an environment, a branch or a run's id typed loosely (`run1`); null otherwise. */
export function logAddressHint(word: string, state: Pick<DaemonState, 'environments' | 'runs'>): string | null {
  // `run1`, `run_1`, `RUN-1`: a run's id typed loosely.
  const numbered = /^run[-_ ]?(\d+)$/i.exec(word);
  if (numbered && word !== `run-${numbered[1]}`) return `no run ${word}: did you mean run-${Number(numbered[1])}? (axum runs lists the runs)`;
  const env = state.environments.find((e) => e.name === word);
  const branch = env?.branch ?? (state.runs.some((r) => r.branch === word) ? word : null);
  if (!env && !branch) return null;
  // Runs are listed newest first.
  const run = state.runs.find((r) => r.branch === branch);
  const runPart = run ? `its newest run: axum logs ${run.id} (${branch}, ${run.status})` : null;
  if (!env) return `${word} is a branch, not a run: ${runPart ?? 'axum runs lists its runs'}`;
  const serving = servingOf(env);
  const revisionPart = serving ? `axum logs ${env.name}#${serving.revision} (its deploy and verify output, #${serving.revision} ${serving.failed ? 'serving, failed' : 'live now'})` : `axum logs ${env.name}#N once it has a revision (axum history ${env.name} lists them)`;
  return `${word} is an environment, not a run: a revision's logs are ENV#N — ${revisionPart}${runPart ? `; ${runPart}` : ''}`;
}
