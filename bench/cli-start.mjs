// Scenario: what an `axum` command costs before it does anything, beside bare `node -e 0` in the
// same run: `axum --version` (CPU and wall) and `axum status --json` against a running daemon
// (wall: start, connect, handshake, print). Each command is timed by bash's `time` keyword
// (getrusage of the child: user + system CPU, and wall), the same way for Axum and the baseline,
// and the three are interleaved rep by rep so that they share whatever load the machine carries.
// The load average is recorded before and after: on a busy machine read the ratios, not the ms.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { AXUM, axum, scratchRepo, stats } from './lib.mjs';

const CONFIG = 'version: 1\nenvironments:\n  staging: { branch: main }\nstages:\n  - name: build\n    steps:\n      - { name: noop, run: "true" }\n';

/** One command under bash's `time`: { wallMs, cpuMs }; throws if it fails. */
function timed(argv, cwd) {
  const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const script = `TIMEFORMAT='%3R %3U %3S'; { time ${quoted} >/dev/null 2>&1; } 2>&1`;
  const [wall, user, sys] = execFileSync('bash', ['-c', script], { cwd, encoding: 'utf8' }).trim().split(/\s+/).map(Number);
  return { wallMs: Math.round(wall * 1000), cpuMs: Math.round((user + sys) * 1000) };
}

export async function cliStart({ reps }) {
  const repo = scratchRepo({ 'axum.yml': CONFIG });
  const node = process.execPath;
  const load = [loadavg()[0]];
  const samples = { node: [], version: [], status: [] };
  try {
    axum(['daemon', 'start'], repo.dir);
    // One untimed round: the page cache holds node, the bundle and git's files for every rep alike.
    timed([node, '-e', '0'], repo.dir);
    timed([node, AXUM, '--version'], repo.dir);
    timed([node, AXUM, 'status', '--json'], repo.dir);
    for (let i = 0; i < reps; i++) {
      samples.node.push(timed([node, '-e', '0'], repo.dir));
      samples.version.push(timed([node, AXUM, '--version'], repo.dir));
      samples.status.push(timed([node, AXUM, 'status', '--json'], repo.dir));
    }
  } finally {
    try {
      axum(['daemon', 'stop', '--yes'], repo.dir);
    } catch {
      // already stopped
    }
    repo.cleanup();
  }
  load.push(loadavg()[0]);
  const of = (list, key) => stats(list.map((s) => s[key]));
  const nodeCpu = of(samples.node, 'cpuMs');
  const nodeWall = of(samples.node, 'wallMs');
  const versionCpu = of(samples.version, 'cpuMs');
  const versionWall = of(samples.version, 'wallMs');
  const statusWall = of(samples.status, 'wallMs');
  const versionRatio = versionCpu.median / nodeCpu.median;
  const statusRatio = statusWall.median / nodeWall.median;
  return {
    name: 'CLI start: a command beside bare node, interleaved',
    unit: 'ms',
    rows: [
      { label: 'axum --version, CPU (user + sys)', ...versionCpu },
      { label: 'axum --version, wall', ...versionWall },
      { label: 'axum status --json, running daemon, wall', ...statusWall },
      { label: 'baseline node -e 0, CPU (user + sys)', ...nodeCpu },
      { label: 'baseline node -e 0, wall', ...nodeWall },
    ],
    goal: '--version CPU ≤ 1.3× node -e 0; status --json wall ≤ 2× node -e 0 (medians)',
    met: versionRatio <= 1.3 && statusRatio <= 2,
    note: `--version CPU ${versionRatio.toFixed(2)}×, status --json wall ${statusRatio.toFixed(2)}×; load average ${load.map((l) => l.toFixed(1)).join(' → ')}`,
    loadAverage: load,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const reps = Number(process.argv[2] ?? 10);
  console.log(JSON.stringify(await cliStart({ reps }), null, 2));
}
