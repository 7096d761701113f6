import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, daemonPid, scratchRepos, waitFor } from './support/axum.js';

const repo = scratchRepos(afterEach);

// What an idle daemon has loaded stays resident for its life (the modules' code and objects), so
// node's modules it needs only for some requests are loaded at their first use. A probe preloaded
// through NODE_OPTIONS (the daemon inherits the CLI's environment) writes node's list of loaded
// modules when signalled.
const PROBE = `import { writeFileSync } from 'node:fs';
process.on('SIGUSR2', () => writeFileSync(process.env.AXUM_TEST_MODULES_OUT + '-' + process.pid, process.moduleLoadList.join('\\n')));
`;

describe('an idle daemon after a run', () => {
  it("has not loaded node's https, tls, zlib or worker_threads", async () => {
    const dir = repo({ config: 'version: 1\nenvironments:\n  dev: { branch: main }\nstages:\n  - name: test\n    steps:\n      - { name: unit, run: "true" }\n' });
    const probe = join(dir, '..', 'probe.mjs');
    writeFileSync(probe, PROBE);
    const out = join(dir, '..', 'modules');
    const run = await axum(['run', '--wait'], { cwd: dir, env: { NODE_OPTIONS: `--import ${probe}`, AXUM_TEST_MODULES_OUT: out } });
    expect(run.code, run.stderr).toBe(0);
    const pid = daemonPid(dir);
    expect(pid).not.toBeNull();
    process.kill(pid as number, 'SIGUSR2');
    await waitFor(() => existsSync(`${out}-${pid}`), 10_000, "the daemon's module list");
    const loaded = readFileSync(`${out}-${pid}`, 'utf8').split('\n');
    // The probe itself works: modules the daemon does load are listed.
    expect(loaded).toContain('NativeModule child_process');
    for (const name of ['https', 'tls', 'zlib', 'worker_threads']) expect(loaded).not.toContain(`NativeModule ${name}`);
  });
});
