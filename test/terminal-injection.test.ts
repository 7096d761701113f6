// Text from outside reaches a terminal shown, never executed (ARCHITECTURE.md, "Trust boundaries"): a
// commit subject and a step's output that carry OSC 52 (clipboard), OSC 2 (title) and CSI 2 J
// (clear screen), seen through `axum` on a pseudo-terminal (`script`), through a pipe, and in the TUI.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';
import { axum, AXUM_BIN, cleanupRepo, commitFiles, makeRepo, startDaemon, waitFor, waitForRun } from './support/axum.js';

const ESC = '\x1b';
const HAS_SCRIPT = (() => {
  try {
    execFileSync('script', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

const SUBJECT = `fix ${ESC}]2;SUBJECT-TITLE\x07${ESC}]52;c;U1VCSkVDVA==\x07${ESC}[2J${ESC}[H tail of subject`;
// The step prints its sequences in two writes, the clipboard's cut in the middle: two log chunks.
const STEP_SCRIPT = `printf 'step says \\033]2;STEP-TITLE\\007 \\033]52;c;'
sleep 0.5
printf 'U1RFUA==\\007\\033[2J\\033[32mgreen\\033[0m done\\n'
`;
const PRINTED = `step says ${ESC}]2;STEP-TITLE\x07 ${ESC}]52;c;U1RFUA==\x07${ESC}[2J${ESC}[32mgreen${ESC}[0m done\n`;

/** `axum ARGS` on a pseudo-terminal (stdout and stderr both), as a person at a terminal runs it. */
function onTerminal(args: string[]): string {
  const command = [process.execPath, AXUM_BIN, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  return execFileSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, TERM: 'xterm-256color' }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

/** What a terminal could act on, once the colours (ESC [ digits ; m) are taken out: ESC, BEL, C1. */
function controlsBesidesColours(text: string): string[] {
  const bare = text
    .split(ESC)
    .map((part, k) => (k === 0 ? part : /^\[[0-9;]*m/.test(part) ? part.replace(/^\[[0-9;]*m/, '') : `␛${part}`))
    .join('');
  const found = [...bare].filter((c) => {
    const code = c.codePointAt(0) ?? 0;
    return (code < 0x20 && c !== '\n' && c !== '\r' && c !== '\t') || (code >= 0x7f && code <= 0x9f);
  });
  return bare.includes('␛[') || bare.includes('␛]') ? [...found, 'ESC'] : found;
}

describe.runIf(HAS_SCRIPT)('escape sequences in a commit subject and in a step output', () => {
  let dir: string;
  let runId: string;
  beforeAll(async () => {
    // promote: rebuild: `axum run --wait` below runs the same commit again and must print its step's log (not reuse its release).
    dir = makeRepo({
      config: `version: 1
environments:
  production: { branch: main }
stages:
  - name: build
    steps:
      - { name: evil, run: "sh evil.sh" }
promote: rebuild
`,
    });
    await startDaemon(dir);
    commitFiles(dir, SUBJECT, { 'evil.sh': STEP_SCRIPT });
    const run = await waitForRun(dir, (r) => r.status === 'succeeded', 'the run of the commit');
    runId = run.id;
  });
  afterAll(async () => {
    await cleanupRepo(dir);
  });

  it('reach the daemon as committed and printed, and a pipe gets the log byte for byte', async () => {
    const listed = JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout) as { id: string; subject: string }[];
    expect(listed.find((r) => r.id === runId)?.subject).toBe(SUBJECT);
    const piped = await axum(['logs', runId, '--step', 'evil', '--repo', dir]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe(PRINTED);
  });

  it('`axum runs`, `axum logs` and `axum run --wait` on a terminal show the text, with no sequence but the colours', async () => {
    const runs = onTerminal(['runs', '--repo', dir]);
    expect(runs).toContain('fix ');
    expect(controlsBesidesColours(runs)).toEqual([]);

    const logs = onTerminal(['logs', runId, '--repo', dir]);
    expect(logs).toContain(`evil | step says  ${ESC}[32mgreen${ESC}[0m done`);
    expect(controlsBesidesColours(logs)).toEqual([]);

    const waited = onTerminal(['run', '--wait', '--repo', dir]);
    expect(waited).toContain('tail of subject');
    expect(controlsBesidesColours(waited)).toEqual([]);
  });

  it.runIf(HAS_TMUX)('the TUI shows the subject and the log without acting on them: same title, no clipboard, nothing cleared', async () => {
    const server = tmuxServer('axum-inject');
    const { tmux } = server;
    try {
      // With set-clipboard on, an OSC 52 that reached tmux would become a paste buffer.
      server.start(['set-clipboard', 'on'], ['allow-rename', 'on']);
      // Still on when the session opens: otherwise the buffer check below could not fail.
      expect(tmux('show-options', '-gv', 'set-clipboard').trim()).toBe('on');
      tmux('new-session', '-d', '-s', 'tui', '-x', '120', '-y', '40', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
      tmux('select-pane', '-t', 'tui', '-T', 'before');
      const screen = () => tmux('capture-pane', '-p', '-t', 'tui');
      await waitFor(() => screen().includes('tail of subject'), 20_000, 'the dashboard to show the run').catch((err: Error) => {
        throw new Error(`${err.message}\n${screen()}`);
      });
      expect(screen()).toMatch(/● connected/);
      // The run's log, where the step's sequences are.
      for (const key of ['Tab', 'Enter']) {
        tmux('send-keys', '-t', 'tui', key);
        await new Promise((r) => setTimeout(r, 300));
      }
      await waitFor(() => screen().includes('green done'), 10_000, 'the run view to show the log').catch((err: Error) => {
        throw new Error(`${err.message}\n${screen()}`);
      });
      const shown = screen();
      // The header is still on screen above the log: nothing cleared it.
      expect(shown).toMatch(/^axum · /m);
      expect(shown).toContain('step says  green done');
      expect(shown).toContain('tail of subject');
      expect(tmux('display-message', '-p', '-t', 'tui', '#{pane_title}').trim()).toBe('before');
      expect(tmux('list-buffers').trim()).toBe('');
    } finally {
      server.kill();
    }
  });
});
