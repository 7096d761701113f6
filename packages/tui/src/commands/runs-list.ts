// `axum runs [--limit N] [--status S] [--branch B]`: recent runs, newest first, the table or --json.
import { RunStatus, type RunView } from '@axum/protocol';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions, Output } from './output.js';
import { outputWidth, table } from './table.js';
import { limitOf } from './typed-words.js';
import { deployCell } from './operations.js';
import { call, duration, withDaemon } from './runs.js';

const runDuration = (run: RunView) => (run.startedAt && run.finishedAt ? duration(Date.parse(run.finishedAt) - Date.parse(run.startedAt)) : run.startedAt ? 'running' : '');

/** `--status S` as typed: one of a run's statuses, else a usage error that lists them. */
export function runStatusOf(text: string | undefined): RunStatus | undefined {
  if (text === undefined) return undefined;
  const parsed = RunStatus.safeParse(text.trim());
  if (!parsed.success) throw new CliError(`--status ${text}: not a run status (one of ${RunStatus.options.join(', ')})`, EXIT.usage);
  return parsed.data;
}

/** What the filters asked for, said when no run matches: `superseded runs on develop`. */
function filteredText(status: RunStatus | undefined, branch: string | undefined): string {
  return `${status ?? ''} runs${branch !== undefined ? ` on ${branch}` : ''}`.trim();
}

/** `axum runs`: recent runs, newest first; --status and --branch keep only those (the daemon filters before the limit). */
export async function runsCommand(options: GlobalOptions & { limit?: string; status?: string; branch?: string }, out: Output): Promise<ExitCode> {
  const limit = limitOf(options.limit, 20) ?? 20;
  const status = runStatusOf(options.status);
  const branch = options.branch;
  if (branch !== undefined && branch.trim() === '') throw new CliError('--branch needs a branch name', EXIT.usage);
  const runs = await withDaemon(options, 'axum-runs', (c) => call(c, 'runs.list', { limit, ...(status ? { status } : {}), ...(branch !== undefined ? { branch } : {}) }));
  if (options.json) out.json(runs);
  else if (runs.length === 0) out.lines([status === undefined && branch === undefined ? 'no runs yet: commit on a branch that feeds an environment, or run `axum run`' : `no ${filteredText(status, branch)}`]);
  else {
    out.lines(
      table(
        ['RUN', 'STATUS', 'DEPLOY', 'TRIGGER', 'BRANCH', 'COMMIT', 'TIME', 'SUBJECT'],
        runs.map((r) => [r.id, r.status, deployCell(r), r.trigger, r.branch, r.commit.slice(0, 8), runDuration(r), r.subject]),
        // The subject and the branch give way, then the time and the trigger; the run, its status, deploy and commit stay whole.
        outputWidth(),
        { elide: [{ column: 7 }, { column: 4 }], drop: [6, 3] },
      ),
    );
  }
  return EXIT.ok;
}
