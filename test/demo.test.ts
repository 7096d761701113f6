import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AXUM_BIN, axum, processesMatching, waitFor } from './support/axum.js';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';

// With `prometheus` on PATH (CI installs it: pnpm system-deps) the demo plays its Prometheus chapter:
// v4 passes its offline eval, fails under live traffic, and the monitor asking Prometheus rolls it back.
const HAS_PROMETHEUS = spawnSync('sh', ['-c', 'command -v prometheus'], { stdio: 'ignore' }).status === 0;
const EXPECTATIONS = HAS_PROMETHEUS ? 12 : 10;

describe('axum demo (headless)', () => {
  it('plays the whole story, every expectation holds, and it leaves no process and no folder behind', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'axum-demo-test-'));
    // A folder under one that does not exist yet: the demo makes both, and removes both.
    const dir = join(parent, 'nested', 'story');
    try {
      const result = await axum(['demo', '--headless', '--dir', dir], { timeoutMs: 180_000 });
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      // Connection failures and timeouts count as failed; the bad model's HTTP 500 answers apart.
      expect(result.stdout).toMatch(HAS_PROMETHEUS ? /^requests: [1-9]\d* sent, 0 failed; [1-9]\d* answered HTTP 500 by v4 \(its NaN predictions\)$/m : /^requests: [1-9]\d* sent, 0 failed$/m);
      expect(result.stdout).toContain('ok   the bad model failed verification on staging');
      expect(result.stdout).toContain("ok   staging's current holds the last known good's files");
      // Build once, promote: production gets the release staging verified; the bad one is refused.
      expect(result.stdout).toMatch(/ok {3}production got rel-\d+, the release staging verified, without retraining/);
      expect(result.stdout).toContain('ok   the model that failed on staging is refused for production (refused-bad)');
      if (HAS_PROMETHEUS) {
        expect(result.stdout).toContain('ok   v4 passed its offline eval on staging: its gates held and it went live');
        expect(result.stdout).toMatch(/ok {3}Prometheus saw v4 fail under live traffic: the monitor rolled staging back to rel-\d+, the last known good \(rollback #6 serves rel-\d+; [1-9]\d* answers were HTTP 500 while v4 was live, 0 since\)/);
        expect(result.stdout).toMatch(/staging #5 incident: monitor failed 3 times in a row on #5 \(.*error_rate = /);
      } else expect(result.stdout).toContain('is skipped: prometheus is not on PATH');
      expect(result.stdout).toContain(`demo: all ${EXPECTATIONS} expectations held`);
      // The daemon, the model server and Prometheus (its config and storage were in the folder) are gone.
      expect(existsSync(join(parent, 'nested'))).toBe(false);
      expect(processesMatching(dir)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 200_000);

  it('--keep keeps the project, says how to start it again and what its monitor will find, and the project works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-demo-keep-'));
    const repo = join(dir, 'model-project');
    try {
      const result = await axum(['demo', '--headless', '--keep', '--dir', dir], { timeoutMs: 180_000 });
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      expect(result.stdout).toContain(`kept: ${repo} (its daemon is stopped; \`axum --repo ${repo}\` starts it again`);
      if (HAS_PROMETHEUS) expect(result.stdout).toContain('the Prometheus its axum.yml monitor asks stopped with the demo');
      else expect(result.stdout).not.toContain('monitor asks stopped');
      // Nothing of the demo runs on; the kept history is there for the next daemon.
      expect(processesMatching(dir)).toEqual([]);
      const status = await axum(['--repo', repo, 'status', '--json']);
      expect(status.code, status.stderr).toBe(0);
      const doc = JSON.parse(status.stdout) as { environments: { name: string; live: { revision: number } | null }[] };
      expect(doc.environments.find((e) => e.name === 'production')?.live?.revision).toBeGreaterThan(0);
    } finally {
      await axum(['--repo', repo, 'daemon', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 200_000);

  it('refuses a --dir that is not empty, touching nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-demo-full-'));
    mkdirSync(join(dir, 'precious'));
    writeFileSync(join(dir, 'precious', 'file'), 'keep me');
    try {
      const result = await axum(['demo', '--headless', '--dir', dir]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('is not empty');
      expect(existsSync(join(dir, 'precious', 'file'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('axum demo --dir that cannot hold a project', () => {
  it('is exit 2 with one line, at once: a file, a path through a file, /sys, /proc', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'axum-demo-bad-'));
    const file = join(parent, 'afile');
    writeFileSync(file, 'x');
    try {
      const cases: [string, string][] = [
        [file, 'it is a file, not a folder'],
        [join(file, 'sub'), `${file} is a file, not a folder`],
        ['/sys/axum-nope', '/sys is on sysfs'],
        ['/proc/axum-nope', '/proc is on proc'],
        ['', 'it names no folder'],
      ];
      const results = await Promise.all(cases.map(([dir]) => axum(['demo', '--headless', '--dir', dir], { timeoutMs: 20_000 })));
      results.forEach((result, i) => {
        expect(result.code, result.stderr).toBe(2);
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`--dir ${cases[i]?.[0] || "''"}: ${cases[i]?.[1]}`);
      });
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe.runIf(HAS_TMUX)('axum demo on a terminal', () => {
  it('plays the story inside the TUI, hands over the keys, and q cleans everything up', async () => {
    const server = tmuxServer('axum-demo');
    const { tmux } = server;
    const parent = mkdtempSync(join(tmpdir(), 'axum-demo-tty-'));
    const dir = join(parent, 'story');
    try {
      tmux('new-session', '-d', '-s', 'demo', '-x', '110', '-y', '30', `${process.execPath} ${AXUM_BIN} demo --dir ${dir}; echo "EXIT=$?"; sleep 30`);
      const screen = () => tmux('capture-pane', '-p', '-t', 'demo');
      await waitFor(() => screen().includes('● connected'), 30_000, 'the TUI');
      await waitFor(() => screen().includes(`demo: story over: ${EXPECTATIONS} of ${EXPECTATIONS} expectations held`), 120_000, 'the story to end in the TUI');
      expect(screen()).toMatch(HAS_PROMETHEUS ? /staging\s+staging\s+#6/ : /staging\s+staging\s+#4/);
      if (HAS_PROMETHEUS) {
        // After the story the monitor keeps asking Prometheus every second: more checks than the
        // ten inconclusive ones in a row that pause an environment, and both are still serving, not
        // paused (with no traffic the error rate was 0/0 and both paused while the person looked).
        const project = join(dir, 'model-project');
        const checks = async (env: string) => {
          const revisions = JSON.parse((await axum(['history', env, '--json', '--repo', project])).stdout) as { status: string; checks: { total: number } }[];
          return revisions.find((r) => r.status === 'live')?.checks.total ?? 0;
        };
        const before = { staging: await checks('staging'), production: await checks('production') };
        await waitFor(async () => (await checks('staging')) > before.staging + 12 && (await checks('production')) > before.production + 12, 60_000, 'a dozen monitor checks of each environment after the story');
        const status = JSON.parse((await axum(['status', '--json', '--repo', project])).stdout) as { environments: { name: string; paused: unknown }[] };
        expect(status.environments.map((e) => [e.name, e.paused])).toEqual([['staging', null], ['production', null]]);
        expect(screen()).not.toMatch(/⏸|PAUSED|paused/);
      }
      tmux('send-keys', '-t', 'demo', 'q');
      await waitFor(() => screen().includes('EXIT=0'), 30_000, 'the demo to exit 0');
      expect(screen()).toContain('requests:');
      expect(existsSync(dir)).toBe(false);
      // The daemon and the model server ran inside the project folder; none is left.
      expect(processesMatching(`${dir}/model-project`)).toEqual([]);
      expect(processesMatching(`${dir}/prometheus`)).toEqual([]);
    } finally {
      server.kill();
      rmSync(parent, { recursive: true, force: true });
    }
  }, 200_000);
});
