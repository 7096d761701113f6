import { spawn, type ChildProcess } from 'node:child_process';

/** An object as `git cat-file --batch` prints it. */
export interface GitObject {
  sha: string;
  type: string;
  content: Buffer;
}

/** Objects by name through one long-lived `git cat-file --batch`, ended when idle. */
export interface CatFile {
  /**
   * The object a name resolves to, in git's extended syntax (`refs/heads/main`, `<sha>:axum.yml`,
   * `<rev>^{commit}`), or null when it names none. Rejects only when git itself failed.
   */
  read(name: string): Promise<GitObject | null>;
  /** Ends the process now (the next read starts another). */
  close(): void;
}

interface Waiter {
  resolve(object: GitObject | null): void;
  reject(err: Error): void;
}

/**
 * Why one process for many reads: on the VMs Axum is measured on, every `spawn` of the daemon
 * costs 10–20 ms of its main thread (node forks the whole process), during which no request is
 * answered; a read through the pipe of a process already running is well under a millisecond.
 * git resolves refs from disk at every read and rescans packs on a miss, so what it answers is
 * current. It is ended after `idleMs` without a read: an idle daemon keeps no extra process, and no
 * pack a `git gc` deleted stays open.
 */
export function createCatFile(repoRoot: string, env: Record<string, string>, idleMs = 10_000): CatFile {
  let child: ChildProcess | null = null;
  let waiting: Waiter[] = [];
  let buffered: Buffer = Buffer.alloc(0);
  let idle: NodeJS.Timeout | undefined;

  const fail = (err: Error): void => {
    const failed = waiting;
    waiting = [];
    buffered = Buffer.alloc(0);
    child = null;
    for (const waiter of failed) waiter.reject(err);
  };

  /** Answers the waiters whose whole reply has arrived, in order (git answers in request order). */
  const drain = (): void => {
    for (;;) {
      const eol = buffered.indexOf(0x0a);
      if (eol < 0 || waiting.length === 0) return;
      const header = buffered.subarray(0, eol).toString('utf8');
      const match = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(header);
      if (!match) {
        // `<name> missing` or `<name> ambiguous`: nothing follows the line.
        buffered = buffered.subarray(eol + 1);
        waiting.shift()?.resolve(null);
        continue;
      }
      const size = Number(match[3]);
      if (buffered.length < eol + 1 + size + 1) return; // the content (and its newline) is still coming
      const content = Buffer.from(buffered.subarray(eol + 1, eol + 1 + size));
      buffered = buffered.subarray(eol + 1 + size + 1);
      waiting.shift()?.resolve({ sha: match[1] as string, type: match[2] as string, content });
    }
  };

  const start = (): ChildProcess => {
    const proc = spawn('git', ['-c', 'core.hooksPath=/dev/null', 'cat-file', '--batch'], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'ignore'] });
    proc.stdout?.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      drain();
    });
    proc.stdin?.on('error', () => undefined); // reported by 'exit' or 'error' below
    proc.on('error', (err) => {
      if (child === proc) fail(err);
    });
    proc.on('exit', (code, signal) => {
      if (child === proc) fail(new Error(`git cat-file exited (${signal ?? code})`));
    });
    // Idle, never what keeps the daemon's event loop alive (reads hold it: `holding` below).
    proc.unref();
    (proc.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    (proc.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return proc;
  };

  /**
   * While a read waits for git's answer, the process and its output keep the event loop alive: the
   * caller awaits it, and a daemon that is starting (not listening yet, nothing else pending) would
   * otherwise exit in the middle of its start, silently, with code 0.
   */
  const holding = (proc: ChildProcess, hold: boolean): void => {
    const stdout = proc.stdout as unknown as { ref?: () => void; unref?: () => void } | null;
    if (hold) {
      proc.ref();
      stdout?.ref?.();
    } else {
      proc.unref();
      stdout?.unref?.();
    }
  };

  const close = (): void => {
    clearTimeout(idle);
    const proc = child;
    if (!proc) return;
    fail(new Error('git cat-file closed'));
    proc.stdin?.end();
  };

  return {
    read(name) {
      // One name per line: a name with a line break would be read as two requests.
      if (/[\n\r\0]/.test(name) || name.length === 0) return Promise.resolve(null);
      clearTimeout(idle);
      child ??= start();
      const proc = child;
      holding(proc, true);
      return new Promise<GitObject | null>((resolve, reject) => {
        waiting.push({ resolve, reject });
        proc.stdin?.write(`${name}\n`);
      }).finally(() => {
        if (child !== proc) return holding(proc, false); // it ended: every read of it was failed
        if (waiting.length > 0) return;
        holding(proc, false);
        idle = setTimeout(close, idleMs);
        idle.unref();
      });
    },
    close,
  };
}

/**
 * A commit's subject as `git log --format=%s` prints it (git's `format_subject`: blank lines
 * skipped, then the first paragraph's lines, each without trailing white space, joined by a space),
 * or null when the raw commit needs git's own decoding (an `encoding` header).
 */
export function subjectOfCommit(raw: Buffer): string | null {
  const text = raw.toString('utf8');
  const end = text.indexOf('\n\n');
  if (end < 0) return '';
  if (/^encoding /m.test(text.slice(0, end))) return null;
  const lines = text.slice(end + 2).split('\n').map((line) => line.replace(/\s+$/, ''));
  let first = 0;
  while (first < lines.length && lines[first] === '') first++;
  const paragraph: string[] = [];
  for (let i = first; i < lines.length && lines[i] !== ''; i++) paragraph.push(lines[i] as string);
  return paragraph.join(' ');
}

/** A commit's first parent, from its raw object (`parent` headers, first one), or null for a root commit. */
export function firstParentOfCommit(raw: Buffer): string | null {
  const text = raw.toString('utf8');
  const end = text.indexOf('\n\n');
  return /^parent ([0-9a-f]{40,64})$/m.exec(end < 0 ? text : text.slice(0, end))?.[1] ?? null;
}
