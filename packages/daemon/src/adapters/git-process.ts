import { spawn } from 'node:child_process';

/** Axum's own git commands, each a `git` process in the repository. */
export interface GitRunner {
  /** git's standard output for `git ARGS`; rejects with git's stderr as the message when it failed. */
  raw(args: string[]): Promise<string>;
}

/**
 * One `git` process per command, `-c` for each of `config` first, at most `maxProcesses` at once
 * (the rest wait their turn: a burst of reconciliations must not fork without bound). A command has
 * failed when git exits non-zero having said why on stderr; one that exits non-zero silently
 * (`rev-parse --verify --quiet` of a name that is none) answers what it printed, which callers read
 * as "none". A plain child process rather than a git library: the daemon needs no more than this,
 * and whatever it loads stays resident for its whole life.
 */
export function createGitRunner(cwd: string, env: Record<string, string>, config: string[], maxProcesses = 4): GitRunner {
  const prefix = config.flatMap((entry) => ['-c', entry]);
  const waiting: Array<() => void> = [];
  let running = 0;

  const exec = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = spawn('git', [...prefix, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        const stderr = Buffer.concat(err).toString('utf8');
        if (signal !== null) reject(new Error(stderr || `git ${args[0] ?? ''} ended by ${signal}`));
        else if (code !== 0 && stderr.length > 0) reject(new Error(stderr));
        else resolve(Buffer.concat(out).toString('utf8'));
      });
    });

  return {
    async raw(args) {
      // A finished command hands its place straight to the next in line, so none can slip between.
      if (running >= maxProcesses) await new Promise<void>((turn) => waiting.push(turn));
      else running++;
      try {
        return await exec(args);
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running--;
      }
    },
  };
}
