// .ci/run's test report: counts from vitest's JSON report, and a failure when a suite that must run
// on a CI machine (tmux, Chromium, Prometheus: `pnpm system-deps`) was skipped.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/axum.js';

const dir = mkdtempSync(join(tmpdir(), 'axum-ci-counts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Status = 'passed' | 'failed' | 'skipped' | 'pending' | 'todo';
const file = (name: string, tests: [string, Status][]) => ({ name: join(ROOT, name), assertionResults: tests.map(([fullName, status]) => ({ fullName, status })) });
/** Every suite that must run, run and passed; plus one machine-dependent skip elsewhere. */
const complete = () => [
  file('test/tui.test.ts', [['the terminal UI in tmux quits on q', 'passed']]),
  file('test/tui-firehose.test.ts', [['the TUI under a firehose keeps up', 'passed']]),
  file('test/demo.test.ts', [['axum demo (headless) plays the story', 'passed'], ['axum demo on a terminal plays the story inside the TUI', 'passed']]),
  file('test/terminal-injection.test.ts', [['escape sequences the TUI shows the subject', 'passed']]),
  file('test/browser-attack.test.ts', [['a real browser (headless Chromium) never opens a WebSocket', 'passed']]),
  file('test/prometheus.test.ts', [['checks against a real Prometheus on loopback pass a low error rate', 'passed']]),
  file('test/ssh-hosts.test.ts', [['the OpenSSH adapter against real sshd hosts copies a release', 'passed']]),
  file('test/remote-environments.test.ts', [['remote environments on three real sshd hosts deploys to all three hosts', 'passed']]),
  file('test/prometheus-hosts.test.ts', [['Prometheus checks per host: a real Prometheus and two real sshd hosts fails naming beta', 'passed']]),
  file('test/crash-remote-hosts.test.ts', [["kill -9 between the hosts' copy and swap, on three real sshd hosts killed at hosts.swapped@2", 'passed']]),
  file('test/machine-errors.test.ts', [['case 4: errors of the machine mark nothing', 'skipped'], ['case 1', 'failed'], ['case 9', 'todo']]),
  file('test/ssh-backup.test.ts', [['backups to a real sshd target backs up over ssh', 'passed']]),
  file('test/crash-remote-inflight.test.ts', [['kill -9 with a host\'s swap in flight, on three real sshd hosts the held swap never lands', 'passed']]),
  file('test/crash-ssh-backup.test.ts', [['kill -9 during a backup to a real sshd target keeps the previous manifest', 'passed']]),
];

function counts(testResults: ReturnType<typeof file>[]): { code: number; out: string } {
  const report = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(report, JSON.stringify({ numPassedTests: 0, numFailedTests: 0, testResults }));
  try {
    return { code: 0, out: execFileSync(process.execPath, [join(ROOT, '.ci', 'test-counts.mjs'), report, ROOT], { encoding: 'utf8' }) };
  } catch (err) {
    const e = err as { status: number; stdout: string };
    return { code: e.status, out: e.stdout };
  }
}

describe('the CI test report', () => {
  it('counts passed, failed and skipped (todo and pending are skipped), and accepts a machine-dependent skip', () => {
    expect(counts(complete())).toEqual({ code: 0, out: 'tests: 14 passed, 1 failed, 2 skipped\n' });
  });

  it('fails when a tmux or Chromium suite was skipped, or did not run at all, naming it and what it needs', () => {
    const skipped = complete();
    skipped[2]!.assertionResults[1]!.status = 'skipped';
    skipped[4]!.assertionResults[0]!.status = 'pending';
    skipped[5]!.assertionResults[0]!.status = 'skipped';
    skipped[7]!.assertionResults[0]!.status = 'skipped';
    const result = counts(skipped);
    expect(result.code).toBe(1);
    expect(result.out).toContain('tests: 10 passed, 1 failed, 6 skipped');
    expect(result.out).toContain('test/remote-environments.test.ts › remote environments on three real sshd hosts deploys to all three hosts was skipped (needs openssh-server and rsync)');
    expect(result.out).toContain('(needs prometheus)');
    expect(result.out).toContain('test/demo.test.ts › axum demo on a terminal plays the story inside the TUI was skipped (needs tmux)');
    expect(result.out).toContain('(needs chromium)');
    // The count stays the run's last line, also when it fails.
    expect(result.out.trimEnd().split('\n').at(-1)).toBe('tests: 10 passed, 1 failed, 6 skipped');
    const missing = complete().filter((f) => !f.name.endsWith('tui-firehose.test.ts'));
    expect(counts(missing)).toMatchObject({ code: 1, out: expect.stringContaining('test/tui-firehose.test.ts: no test that needs tmux ran') });
  });
});
