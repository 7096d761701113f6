// The way from a queued run to its first step process: what must be durable before the process
// exists, and what may overlap. The run executor on fakes, with a deployments world behind it.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../domain/history.js';
import { executeRun, type ExecutorDeps } from './run-executor.js';
import { deployWorlds } from './testing/deploy-world.js';
import { createFakeExecutorDeps, parsedConfig as parsed } from './testing/fake-pipeline.js';

const YAML = `version: 1
environments:
  staging: { branch: staging }
stages:
  - name: build
    steps:
      - { name: train, run: train }
  - name: check
    steps:
      - { name: eval, run: eval }
`;
const world = deployWorlds(afterEach);

/** A staging run of one commit, its saves (the record as each save held it) and the order of events. */
function setup(git: Partial<ExecutorDeps['git']> = {}) {
  const w = world(parsed(YAML));
  const saves: RunRecord[] = [];
  const events: string[] = [];
  const runner: ExecutorDeps['runner'] = {
    ...w.runner,
    run: (request, signal) => {
      events.push(`spawn ${request.command}`);
      return w.runner.run(request, signal);
    },
  };
  const runGit: ExecutorDeps['git'] = { ...w.git, showFile: async (_commit, file) => (file === 'axum.yml' ? YAML : null), ...git };
  const deps = createFakeExecutorDeps(w, runGit, {
    runner,
    commit: async (run) => {
      saves.push(structuredClone(run));
      events.push(`save ${run.status} ${run.steps.map((s) => `${s.name}:${s.status}`).join(',')}`);
    },
  });
  const record: RunRecord = {
    ...{ id: 'run-1', number: 1, status: 'queued', commit: 'c'.repeat(40), branch: 'staging', env: 'staging', trigger: 'push', reused: false },
    ...{ createdAt: '2025-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, steps: [], subject: 'model v2', releaseId: null, message: null, warnings: [] },
    ...{ deploy: { env: 'staging', revision: null, outcome: 'pending' }, pgids: [], worktree: null, stages: null },
  };
  return { w, record, deps, saves, events };
}

describe('from a queued run to its first step', () => {
  it('reads axum.yml at the commit while the worktree is checked out, not after', async () => {
    let showFileAsked!: () => void;
    const asked = new Promise<void>((resolve) => (showFileAsked = resolve));
    const { record, deps } = setup({
      showFile: async (_commit, file) => {
        showFileAsked();
        return file === 'axum.yml' ? YAML : null;
      },
      // The checkout ends only once the config was asked for: read one after the other, this run never starts.
      addWorktree: async () => asked,
    });
    await executeRun(record, deps).done;
    expect(record.status).toBe('succeeded');
  });

  it('before the first step process exists, the run is saved running, then with the whole plan and its first step started: no save of the plan alone', async () => {
    const { record, deps, events } = setup();
    await executeRun(record, deps).done;
    const first = events.indexOf('spawn train');
    expect(first).toBeGreaterThan(0);
    expect(events[first - 1]).toBe('save running train:running,eval:pending');
    expect(new Set(events.slice(0, first))).toEqual(new Set(['save running ', 'save running train:running,eval:pending']));
  });

  it('a release about to be handed on (reused) waits for the run to be saved as running', async () => {
    const { record, deps, events } = setup();
    let saved!: () => void;
    const slowSave = new Promise<void>((resolve) => (saved = resolve));
    deps.commit = async (run) => {
      events.push(`save ${run.status}`);
      if (run.status === 'running' && run.steps.length === 0) await slowSave;
      events.push(`saved ${run.status}`);
    };
    deps.reuseRelease = async () => {
      events.push('reuse');
      return { reused: null, warnings: [] };
    };
    const done = executeRun(record, deps).done;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).not.toContain('reuse');
    saved();
    await done;
    expect(events.indexOf('reuse')).toBeGreaterThan(events.indexOf('saved running'));
  });

  it('a step that runs after the first is saved as running before its process exists too', async () => {
    const { record, deps, events } = setup();
    await executeRun(record, deps).done;
    const second = events.indexOf('spawn eval');
    expect(events[second - 1]).toBe('save running train:succeeded,eval:running');
  });
});
