// "A repository deploying to (or backing up to) N real sshd hosts", shared by the end-to-end remote
// tests (remote environments, their crash tests, Prometheus per host, SSH backups): the lab of
// hosts started once per file (test/support/sshd.ts), the scratch repositories and host folders
// cleared after each test, and the CLI run with the lab's ssh config.
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { axum, cleanupRepo, historyText, makeRepo, waitFor, type AxumResult } from './axum.js';
import { startSshLab, type SshHost, type SshLab } from './sshd.js';

/** The pipeline of the remote tests: `train` copies data.txt into model/ (`extraTrain` appended to its command). */
export function remoteConfig(hosts: SshHost[], options: { extraTrain?: string; extra?: string; env?: string } = {}): string {
  return `version: 1
environments:
  ${options.env ?? 'production'}:
    branch: main
    protected: false
    hosts:
${hosts.map((h) => `      - ${h.spec}`).join('\n')}
stages:
  - name: build
    steps:
      - { name: train, run: "mkdir -p model && cp data.txt model/weights.txt${options.extraTrain ?? ''}" }
artifacts: [model/**]
${options.extra ?? ''}`;
}

export interface RevisionJson {
  revision: number;
  status: string;
  kind: string;
  releaseId: string;
  verified: boolean;
  message: string | null;
  hosts?: { host: string; outcome: string; reason: string | null; serving?: boolean }[];
}

export interface SshdHostsSuite {
  /** The running lab (set in beforeAll). */
  readonly lab: SshLab;
  /** The lab's folder (its ssh config, keys, and each host's folder under hosts/). */
  readonly labDir: string;
  host(name: string): SshHost;
  /** `axum ARGS` with the lab's ssh config (and AXUM_CRASH_AT when given). */
  run(args: string[], options?: { crashAt?: string; timeoutMs?: number }): Promise<AxumResult>;
  /** `axum ARGS` that must exit 0; its stdout. */
  ok(args: string[]): Promise<string>;
  /** A scratch repository with `config`, removed after the test. */
  repo(config: string): string;
  /** A repository the test made itself (a clone), stopped and removed after the test like the others. */
  track(dir: string): string;
  /** A scratch repository whose daemon is started and has seen `main`. */
  started(config: string, options?: { crashAt?: string }): Promise<string>;
  history(dir: string, env?: string): Promise<RevisionJson[]>;
  /** The history once it has `count` revisions, none deploying or verifying. */
  settled(dir: string, count: number, options?: { env?: string; timeoutMs?: number }): Promise<RevisionJson[]>;
  /** Once `env` has no operation in progress (a restarted daemon's recovery of its hosts included). */
  idle(dir: string, env?: string): Promise<void>;
  /** Each host's `current` link, in lab order. */
  served(): string[];
  /** The model bytes a folder's `current` serves. */
  weights(root: string): string;
}

/**
 * Registers the hooks of a describe block running on sshd hosts `names` (call it inside the
 * describe). `unknownKey` hosts are in the ssh config but not in known_hosts.
 */
export function sshdHostsSuite(names: string[], options: { unknownKey?: string[]; forceCommand?: (labDir: string) => Record<string, string>; prefix?: string; timeoutMs?: number } = {}): SshdHostsSuite {
  const labDir = mkdtempSync(join(tmpdir(), options.prefix ?? 'axum-sshd-hosts-'));
  let lab: SshLab | undefined;
  const repos: string[] = [];
  beforeAll(async () => {
    lab = await startSshLab(labDir, names, { unknownKey: options.unknownKey, forceCommand: options.forceCommand?.(labDir) });
  }, 60_000);
  afterEach(async () => {
    await Promise.all(repos.splice(0).map(cleanupRepo));
    for (const host of lab?.hosts ?? []) {
      await lab!.start(host.name).catch(() => undefined); // a test that killed one
      rmSync(host.root, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    await lab?.stop();
    rmSync(labDir, { recursive: true, force: true });
  });
  const theLab = (): SshLab => {
    if (!lab) throw new Error('the sshd lab is not started yet');
    return lab;
  };
  const run = (args: string[], o: { crashAt?: string; timeoutMs?: number } = {}) =>
    axum(args, { env: { AXUM_SSH_CONFIG: theLab().config, ...(o.crashAt !== undefined ? { AXUM_CRASH_AT: o.crashAt } : {}) }, timeoutMs: o.timeoutMs ?? options.timeoutMs ?? 60_000 });
  const history = async (dir: string, env = 'production'): Promise<RevisionJson[]> => {
    const result = await run(['history', env, '--json', '--repo', dir]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as RevisionJson[];
  };
  const suite: SshdHostsSuite = {
    get lab() {
      return theLab();
    },
    labDir,
    host(name) {
      const host = theLab().hosts.find((h) => h.name === name);
      if (!host) throw new Error(`no host ${name}`);
      return host;
    },
    run,
    async ok(args) {
      const result = await run(args);
      expect(result.code, `axum ${args.join(' ')}: ${result.stderr}${result.stdout}`).toBe(0);
      return result.stdout;
    },
    repo(config) {
      return suite.track(makeRepo({ config }));
    },
    track(dir) {
      repos.push(dir);
      return dir;
    },
    async started(config, o = {}) {
      const dir = suite.repo(config);
      const result = await run(['daemon', 'start', '--repo', dir], o);
      expect(result.code, result.stderr).toBe(0);
      await waitFor(() => historyText(dir).includes('"main"'), 10_000, 'the first reconciliation');
      return dir;
    },
    history,
    async settled(dir, count, o = {}) {
      let revisions: RevisionJson[] = [];
      await waitFor(async () => {
        revisions = await history(dir, o.env);
        return revisions.length >= count && revisions.every((r) => r.status !== 'deploying' && r.status !== 'verifying');
      }, o.timeoutMs ?? 180_000, `${count} settled revisions`);
      return revisions;
    },
    async idle(dir, env = 'production') {
      await waitFor(async () => {
        const result = await run(['status', '--json', '--repo', dir]);
        if (result.code !== 0) return false;
        const status = JSON.parse(result.stdout) as { environments: { name: string; operation: unknown }[] };
        return status.environments.find((e) => e.name === env)?.operation === null;
      }, 180_000, `${env} to have no operation in progress`);
    },
    served: () => theLab().hosts.map((h) => readlinkSync(join(h.root, 'current'))),
    weights: (root) => readFileSync(join(root, 'current', 'model', 'weights.txt'), 'utf8'),
  };
  return suite;
}
