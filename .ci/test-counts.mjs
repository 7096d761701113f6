// Reads vitest's JSON report and prints `tests: N passed, N failed, N skipped`. Exits 1 when a suite
// that must run on a CI machine was skipped or did not run: the terminal UI suites skip themselves
// without tmux, the browser suite without Chromium, the Prometheus suite without prometheus, the remote-host suites without sshd or rsync, and a
// skip reads like a pass in vitest's summary. `pnpm system-deps` installs them. Other skips (root-only, cgroups, /dev/full) depend on
// the machine and are only counted.
//
//   node .ci/test-counts.mjs test-results/vitest.json
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** Suites that must run wherever `pnpm system-deps` ran: file, which of its tests, what they need. */
const MUST_RUN = [
  { file: 'test/tui.test.ts', tests: /./, needs: 'tmux' },
  { file: 'test/tui-firehose.test.ts', tests: /./, needs: 'tmux' },
  { file: 'test/demo.test.ts', tests: /on a terminal/, needs: 'tmux' },
  { file: 'test/terminal-injection.test.ts', tests: /the TUI/, needs: 'tmux' },
  { file: 'test/browser-attack.test.ts', tests: /Chromium/, needs: 'chromium' },
  { file: 'test/prometheus.test.ts', tests: /real Prometheus/, needs: 'prometheus' },
  { file: 'test/ssh-hosts.test.ts', tests: /real sshd/, needs: 'openssh-server and rsync' },
  { file: 'test/remote-environments.test.ts', tests: /real sshd/, needs: 'openssh-server and rsync' },
  { file: 'test/ssh-backup.test.ts', tests: /real sshd/, needs: 'openssh-server and rsync' },
  { file: 'test/crash-remote-hosts.test.ts', tests: /real sshd/, needs: 'openssh-server and rsync' },
  { file: 'test/crash-remote-inflight.test.ts', tests: /real sshd/, needs: 'openssh-server and rsync' },
  { file: 'test/crash-ssh-backup.test.ts', tests: /real sshd/, needs: 'openssh-server and rsync' },
  { file: 'test/prometheus-hosts.test.ts', tests: /real Prometheus and two real sshd/, needs: 'prometheus, openssh-server and rsync' },
];

const [reportFile, root = process.cwd()] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const counts = { passed: 0, failed: 0, skipped: 0 };
const ran = new Map(MUST_RUN.map((suite) => [suite, 0]));
const problems = [];
for (const file of report.testResults ?? []) {
  const name = relative(root, file.name);
  for (const test of file.assertionResults ?? []) {
    // vitest writes skipped, pending, todo or disabled for a test that did not run.
    const outcome = test.status === 'passed' ? 'passed' : test.status === 'failed' ? 'failed' : 'skipped';
    counts[outcome]++;
    for (const suite of MUST_RUN) {
      if (suite.file !== name || !suite.tests.test(test.fullName)) continue;
      if (outcome === 'skipped') problems.push(`${name} › ${test.fullName} was skipped (needs ${suite.needs})`);
      else ran.set(suite, ran.get(suite) + 1);
    }
  }
}
for (const [suite, n] of ran) {
  if (n === 0 && !problems.some((p) => p.startsWith(`${suite.file} `))) problems.push(`${suite.file}: no test that needs ${suite.needs} ran`);
}
if (problems.length > 0) {
  console.log(`ci: ${problems.length} test(s) that must run here did not (run \`pnpm system-deps\`):`);
  for (const problem of problems) console.log(`  ${problem}`);
}
// The last line of the run, always: CI reads it as is.
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
if (problems.length > 0) process.exit(1);
