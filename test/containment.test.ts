// A step's descendants are contained: a process that leaves the step's process group (setsid, a
// scrubbed environment) is still found and killed when the step ends, and after a daemon crash.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, isAlive, processesMatching, readDaemonJson, scratchRepos, waitFor, waitForRun } from './support/axum.js';

const newRepo = scratchRepos(afterEach);
/** Cgroup v2 containment needs a cgroup2 mount the daemon may write under (root here, or a delegated subtree). */
const CGROUPS = existsSync('/sys/fs/cgroup/cgroup.procs') || existsSync('/sys/fs/cgroup/unified/cgroup.procs');
const unique = () => 600 + Math.floor(Math.random() * 300);

describe.runIf(CGROUPS)('containment by cgroup', () => {
  it('setsid and env -i setsid children die when their step ends', async () => {
    const [a, b] = [unique(), unique() + 1000];
    const dir = newRepo({
      config: `version: 1
environments:
  dev: { branch: develop }
stages:
  - name: test
    steps:
      - { name: escape, run: "setsid sleep ${a} & env -i setsid sleep ${b} & sleep 0.5; echo started" }
`,
    });
    commitFiles(dir, 'escapees', { 'a.txt': '1\n' });
    const queued = JSON.parse((await axum(['run', '--branch', 'main', '--json', '--repo', dir])).stdout) as { id: string };
    await waitForRun(dir, (r) => r.id === queued.id && r.status === 'succeeded', 'the run to succeed');
    await waitFor(() => processesMatching(`sleep ${a}`).length === 0 && processesMatching(`sleep ${b}`).length === 0, 5000, 'the escaped processes to be killed');
  });

  it('a scrubbed setsid child of a step cut short by kill -9 dies when the next daemon starts', async () => {
    const c = unique() + 2000;
    const dir = newRepo({
      config: `version: 1
environments:
  dev: { branch: develop }
stages:
  - name: test
    steps:
      - { name: escape, run: "env -i setsid sleep ${c} & sleep 120" }
`,
    });
    commitFiles(dir, 'escapee', { 'a.txt': '1\n' });
    await axum(['run', '--branch', 'main', '--repo', dir]);
    await waitFor(() => processesMatching(`sleep ${c}`).length > 0, 20_000, 'the escapee to start');
    const daemon = readDaemonJson(dir).pid;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 10_000, 'the daemon to die');
    // Its environment was scrubbed (no step marker) and it left the process group: only the cgroup knows it.
    expect(processesMatching(`sleep ${c}`).length).toBeGreaterThan(0);
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    await waitFor(() => processesMatching(`sleep ${c}`).length === 0, 10_000, 'the escapee to be killed at start');
  });
});

describe.skipIf(CGROUPS)('without cgroups', () => {
  it('axum status says containment is by process group only', async () => {
    const dir = newRepo();
    const status = await axum(['status', '--repo', dir]);
    expect(status.stdout).toContain('containment by process group only');
  });
});
