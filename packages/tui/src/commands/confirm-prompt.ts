// The question a command asks on a terminal before it changes something: the act wrapped by words
// to the terminal's width, what it changes (the diff the TUI's dialog shows), and the answer's own
// line, so the name to type is never split by the terminal's wrap.
import { createInterface } from 'node:readline/promises';
import type { EnvironmentView } from '@axum/protocol';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { diffLines } from '../state/diff-lines.js';
import { wrapText } from '../views/wrap-text.js';
import { CliError, EXIT } from './exit-codes.js';
import { forStream } from './output.js';
import { call } from './runs.js';

/** The rows printed before the answer is read, and the answer's prompt (`type production to confirm: `). */
export function promptRows(what: string, typed: string | null, diff: readonly string[], width: number): { rows: string[]; ask: string } {
  const room = Math.max(20, width);
  const rows = [...wrapText(`${what}?`, room), ...diff.flatMap((line) => wrapText(line, room - 2, { indent: '  ' }).map((row) => `  ${row}`))];
  return { rows, ask: typed === null ? 'go ahead? [y/N] ' : `type ${typed} to confirm: ` };
}

/**
 * Asks before a change on a terminal: `y` for plain environments, the typed name for protected ones.
 * `what` is the whole act, environment included (`roll back production to #3`); `diff` is asked for
 * only when a person will read it.
 */
export async function confirm(env: EnvironmentView, what: string, yes: boolean | undefined, diff?: () => Promise<string[]>): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    if (env.protected) throw new CliError(`${env.name} is protected and there is no terminal to ask: add --yes to ${what}`, EXIT.usage);
    return;
  }
  // What changes is shown when it can be had; a diff that fails is said, never in the way of the question.
  const changes = diff ? await diff().catch((err: Error) => [`(no diff: ${err.message})`]) : [];
  const { rows, ask } = promptRows(what, env.protected ? env.name : null, changes, process.stderr.columns || 80);
  process.stderr.write(`${rows.join('\n')}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    // Ctrl-C or Ctrl-D at the question is a "no" (readline rejects with an AbortError): said as one, not a stack trace.
    const answer = (
      await rl.question(ask).catch((err: Error) => {
        if (err.name !== 'AbortError') throw err;
        process.stderr.write('\n');
        throw new CliError('not confirmed (interrupted); nothing changed', EXIT.failed);
      })
    ).trim();
    const ok = env.protected ? answer === env.name : /^y(es)?$/i.test(answer);
    if (!ok) throw new CliError('not confirmed; nothing changed', EXIT.failed);
  } finally {
    rl.close();
  }
}

/**
 * Asks `question` with `[y/N]` on a terminal; off one, a usage error naming `--yes`. Anything but
 * y or yes (Ctrl-C, Ctrl-D included) is a "no": nothing changed (exit 1).
 */
export async function askYes(question: string, noTerminal: string): Promise<void> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) throw new CliError(`${noTerminal} and there is no terminal to ask: add --yes`, EXIT.usage);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    // Branch and step names are the repository's text: stripped of control codes like every line out.
    const answer = await rl.question(`${forStream(process.stderr, question)} [y/N] `).catch(() => '');
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('not confirmed; nothing changed', EXIT.failed);
  } finally {
    rl.close();
  }
}

/** What moving `env` from the release it serves (live, or failed and serving on) to `to` changes, as the TUI's confirmation shows it. */
export function diffFromLive(connection: DaemonConnection, env: EnvironmentView, to: string): () => Promise<string[]> {
  const from = env.live?.releaseId ?? env.serving?.releaseId;
  return async () => (from ? diffLines(await call(connection, 'releases.diff', { from, to, env: env.name })) : ['(no diff: nothing serves to compare with)']);
}
