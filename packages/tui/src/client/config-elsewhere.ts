// Which other branches hold an axum.yml, for the error of a command run where the branch checked out
// has none: most often a feature branch cut before the file was added, not a project without one.
import { spawnSync } from 'node:child_process';
import { CONFIG_FILE } from '@axum/protocol';

/** How many branches the message names; the rest are counted. */
const NAMED_AT_MOST = 3;

/** The branch checked out in `dir` (null: detached HEAD, or git cannot tell) and the local branches holding `axum.yml` at their tip, by name. */
export function configElsewhere(dir: string): { branch: string | null; others: string[] } {
  const git = (args: string[], input?: string) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  const head = git(['symbolic-ref', '--quiet', 'HEAD']);
  const ref = head.status === 0 ? head.stdout.trim() : '';
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
  const refs = git(['for-each-ref', '--format=%(refname)', 'refs/heads']);
  const names = refs.status === 0 ? refs.stdout.split('\n').filter((r) => r.startsWith('refs/heads/') && r !== ref) : [];
  if (names.length === 0) return { branch, others: [] };
  // One git process for every branch: `<ref>:axum.yml` answers `missing` or `<sha> blob <size>`.
  const checked = git(['cat-file', '--batch-check'], names.map((r) => `${r}:${CONFIG_FILE}\n`).join(''));
  const answers = checked.status === 0 ? checked.stdout.split('\n') : [];
  const others = names.filter((_, i) => / blob \d+$/.test(answers[i] ?? '')).map((r) => r.slice('refs/heads/'.length));
  return { branch, others };
}

/**
 * `no axum.yml in /tmp/p on branch feature-x (develop, main have one: git checkout develop), or run
 * `axum init` to write one`; without another branch that has one, the `axum init` advice alone.
 */
export function missingConfigText(repoRoot: string): string {
  const { branch, others } = configElsewhere(repoRoot);
  if (others.length === 0) return `no ${CONFIG_FILE} in ${repoRoot}: run \`axum init\` to write one`;
  const named = others.length > NAMED_AT_MOST ? `${others.slice(0, NAMED_AT_MOST).join(', ')} and ${others.length - NAMED_AT_MOST} more` : others.join(', ');
  const elsewhere = `${named} ${others.length === 1 ? 'has' : 'have'} one: git checkout ${others[0]!}`;
  const where = branch === null ? `in the commit checked out (detached HEAD; ${elsewhere})` : `on branch ${branch} (${elsewhere})`;
  return `no ${CONFIG_FILE} in ${repoRoot} ${where}, or run \`axum init\` to write one`;
}
