// A host's part of an all-or-nothing swap in ONE ssh session (docs/remote-environments.md).
// Every session pays the host account's shell start-up before the command runs (bash started by
// sshd reads ~/.bashrc, whatever the command says), so a rollback must not spend a session on the
// check and another on the swap. The session checks the release's folder, makes the new link beside
// `current` and prints `ready`; then it waits on stdin for the daemon's word: `swap` moves the link
// over `current` (`mv -T`, atomic), anything else (or the stdin closing: the daemon died) removes it.
// The daemon says `swap` only once every host is ready, so a host whose check fails leaves every
// host where it was. The host's lock is let go while the session waits and taken again for the
// move, which checks the fence again: a later daemon that acted on the host meanwhile wins.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { HostSpec, ReleaseView } from '@axum/protocol';
import type { PreparedSwap } from '../engine/ports.js';
import { destination, quote, reasonOf, sshOptions, type Finished } from './openssh.js';

/** How the session is run: the fence (null: not fenced), its ssh options, its limits. */
export interface PreparedSwapSession {
  host: HostSpec;
  configFile: string | null | undefined;
  /** The fence script (ssh-hosts.ts) run first and again before the move; '' when commands are not fenced. */
  fence: string;
  shared: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Until `ready` (or the end of a session that found the folder absent), and for the move after the word. */
  commandTimeoutMs: number;
  /** How long a ready host may wait for the word (its siblings may be copying a release meanwhile). */
  holdTimeoutMs: number;
}

/** The remote script; `checksums` and `links` are the checks `inspect` makes (ssh-hosts.ts). */
export function preparedSwapScript(host: HostSpec, release: ReleaseView, fence: string, checksums: string, links: string, temp: string): string {
  const current = quote(`${host.path}/current`);
  const folder = quote(`${host.path}/releases/${release.id}`);
  const sum = createHash('sha256').update(checksums).digest('hex');
  const tmp = quote(`${host.path}/${temp}`);
  return [
    fence,
    `cur=$(readlink -- ${current} || true)`,
    `printf 'current:%s\\n' "$cur"`,
    `sum=$({ sha256sum < ${folder}/.axum-sha256; } 2>/dev/null || true)`,
    `if [ "$sum" != '${sum}  -' ] || ! (cd -- ${folder} 2>/dev/null && { ${links}; }) 2>/dev/null; then echo absent; exit 0; fi`,
    // A session cut by a signal still removes its link (dash runs the EXIT trap only on exit).
    `t=${tmp}`,
    `trap 'rm -f -- "$t"' EXIT`,
    `trap 'exit 1' HUP INT TERM PIPE`,
    `ln -s -- ${quote(`releases/${release.id}`)} "$t" || exit 1`,
    'exec 9>&-', // the lock is let go while the daemon hears from the other hosts
    'echo ready',
    'if IFS= read -r word && [ "$word" = swap ]; then :; else echo aborted; exit 0; fi',
    fence,
    `test -f ${folder}/.axum-sha256 || { echo ${quote(`releases/${release.id} is not on the host`)} >&2; exit 1; }`,
    `mv -T -- "$t" ${current} || exit 1`,
    'echo swapped',
    '',
  ].join('\n');
}

/** A fresh name for the new link: a dead session's leftover never collides with the next. */
export const tempLinkName = (): string => `.current-${randomBytes(6).toString('hex')}`;

/**
 * Opens the session and resolves once the host said `ready` (or `absent`: the session has ended);
 * rejects, naming the host, when it could not check.
 */
export function openPreparedSwap(session: PreparedSwapSession, release: ReleaseView, script: string): Promise<PreparedSwap> {
  const { host } = session;
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sshOptions(host, session.configFile), ...session.shared, '--', destination(host), script], { stdio: ['pipe', 'pipe', 'pipe'], ...(session.env ? { env: session.env } : {}) });
    let stdout = '';
    let stderr = '';
    let killedAfter: number | null = null;
    let timer: NodeJS.Timeout | undefined;
    const limit = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        killedAfter = ms;
        child.kill('SIGKILL');
      }, ms);
    };
    const ended = new Promise<Finished>((done) => {
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        done({ code: signal ? null : code, stdout, stderr: killedAfter === null ? stderr : `${stderr}\n(killed after ${killedAfter} ms)` });
      });
    });
    const lines = () => stdout.split('\n');
    const currentOf = (): string | null => {
      const named = (lines().find((l) => l.startsWith('current:')) ?? 'current:').slice('current:'.length).trim();
      const match = /^releases\/([A-Za-z0-9._-]+)$/.exec(named);
      return match ? match[1]! : named === '' ? null : named;
    };
    let settled = false;
    const answer = () => {
      // Absent: no word will be said (stdin closed, the session ends).
      if (lines().includes('absent')) child.stdin.end();
      if (settled || !lines().includes('ready')) return;
      settled = true;
      limit(session.holdTimeoutMs);
      let word: Promise<void> | null = null;
      const say = (text: string) => {
        limit(session.commandTimeoutMs);
        child.stdin.end(text);
      };
      resolve({
        current: currentOf(),
        present: true,
        commit: () =>
          (word ??= (async () => {
            say('swap\n');
            const done = await ended;
            if (done.code !== 0 || !done.stdout.split('\n').includes('swapped')) throw new Error(reasonOf(`pointing current at ${release.id} on ${host.spec}`, done));
          })()),
        abort: () =>
          (word ??= (async () => {
            say('');
            await ended;
          })().catch(() => undefined)),
      });
    };
    limit(session.commandTimeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      answer();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-8000)));
    child.stdin.on('error', () => undefined); // a session that ended early closes its stdin: its exit says why
    child.on('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    void ended.then((done) => {
      if (settled) return;
      settled = true;
      if (done.code === 0 && lines().includes('absent')) {
        const gone = async () => undefined;
        resolve({ current: currentOf(), present: false, commit: async () => Promise.reject(new Error(`releases/${release.id} is not on ${host.spec}`)), abort: gone });
      } else reject(new Error(reasonOf(`checking releases/${release.id} on ${host.spec}`, done)));
    });
  });
}
