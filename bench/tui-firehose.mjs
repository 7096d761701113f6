// Scenario: the real Ink TUI (`axum` in a repository) in tmux, following a run whose step prints
// 100,000 lines a second (bench/firehose.mjs). Measures the TUI process's CPU (utime+stime from
// /proc/<pid>/stat over a window while lines pour in) and key → visible change (`?` opens the help
// overlay, Escape closes it: `tmux send-keys`, then `capture-pane` polled until the change shows).
// Baseline in the same run: `tail -f` of the same volume in the same tmux, its CPU the same way.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AXUM, ROOT, axum, msSince, nowNs, scratchRepo, sleep, stats, until } from './lib.mjs';

const TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
}

/** Share of one core a process used over the next `ms`, sampled per second. */
async function cpuShare(pid, ms) {
  const samples = [];
  for (let elapsed = 0; elapsed < ms; elapsed += 1000) {
    const t0 = nowNs();
    const c0 = cpuTicks(pid);
    await sleep(1000);
    samples.push(((cpuTicks(pid) - c0) / TICKS / (msSince(t0) / 1000)) * 100);
  }
  return samples;
}

function tmuxServer() {
  const socket = `axum-bench-tui-${process.pid}`;
  const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  return {
    tmux,
    screen: (session) => tmux('capture-pane', '-p', '-t', session),
    panePid: (session) => Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim()),
    kill: () => {
      try {
        tmux('kill-server');
      } catch {
        // gone
      }
    },
  };
}

export async function tuiFirehose({ seconds = 20, window = 8, keys = 20, rate = 100_000 }) {
  const width = 40;
  const hose = `node firehose.mjs ${rate} ${width} ${seconds}`;
  const repo = scratchRepo({
    'axum.yml': `version: 1\nenvironments:\n  dev: { branch: develop }\nstages:\n  - name: test\n    steps:\n      - { name: firehose, run: "${hose}", timeout: 5m }\n`,
    'firehose.mjs': readFileSync(join(ROOT, 'bench', 'firehose.mjs'), 'utf8'),
  });
  const server = tmuxServer();
  const { tmux, screen } = server;
  let tuiCpu;
  let baseCpu;
  const keyLatency = [];
  const keyFloor = [];
  const keyFloorLoaded = [];
  let linesSeen = false;
  try {
    axum(['daemon', 'start'], repo.dir);
    // Ink draws nothing when it believes it runs in CI (README.md, "Development"): never inherit CI=true.
    tmux('new-session', '-d', '-s', 'tui', '-x', '120', '-y', '40', `exec env -u CI ${process.execPath} ${AXUM} --repo ${repo.dir}`);
    await until(() => screen('tui').includes('● connected'), 20_000, 'the TUI');
    const pid = server.panePid('tui');
    const run = JSON.parse(axum(['run', '--json'], repo.dir));
    await until(() => screen('tui').includes(run.id), 10_000, 'the run to show');
    for (const key of ['Tab', 'Enter']) {
      tmux('send-keys', '-t', 'tui', key);
      await sleep(200);
    }
    await until(() => /\d{10} \d{13}/.test(screen('tui')), 20_000, 'log lines in the TUI');
    linesSeen = true;
    // The floor of the key method under the same load (the step and the daemon busy with the
    // firehose): the floor measured after the firehose stops (below) lacks that load.
    tmux('new-session', '-d', '-s', 'echo', '-x', '120', '-y', '40', 'exec cat');
    await sleep(1000);
    // Keys while lines pour in, in the same window as the CPU samples.
    const cpu = cpuShare(pid, window * 1000);
    for (let i = 0; i < keys; i++) {
      const opening = i % 2 === 0;
      const t0 = nowNs();
      tmux('send-keys', '-t', 'tui', opening ? '?' : 'Escape');
      await until(() => screen('tui').includes('Keys (run run-') === opening, 10_000, 'the key to show');
      keyLatency.push(msSince(t0));
      const t1 = nowNs();
      tmux('send-keys', '-t', 'echo', 'x');
      await until(() => (screen('echo').match(/x/g) ?? []).length >= i + 1, 10_000, 'the echo under load');
      keyFloorLoaded.push(msSince(t1));
      await sleep(Math.max(50, (window * 1000) / keys - 100 - msSince(t0)));
    }
    tuiCpu = await cpu;
    tmux('send-keys', '-t', 'tui', 'q');
    // Baseline: the same volume into a file, `tail -f` of it in the same tmux.
    const file = join(repo.dir, '..', 'hose.log');
    execFileSync('sh', ['-c', `: > ${file}`]);
    const writer = spawn('sh', ['-c', `exec ${process.execPath} ${join(ROOT, 'bench', 'firehose.mjs')} ${rate} ${width} ${seconds} >> ${file}`], { stdio: 'ignore' });
    tmux('new-session', '-d', '-s', 'tail', '-x', '120', '-y', '40', `exec tail -f ${file}`);
    const tailPid = server.panePid('tail');
    await until(() => /\d{10} \d{13}/.test(screen('tail')), 20_000, 'lines in tail');
    await sleep(1000);
    baseCpu = await cpuShare(tailPid, window * 1000);
    writer.kill();
    // The floor of the key measurement itself (send-keys, capture-pane polling): a key echoed by `cat`.
    tmux('new-session', '-d', '-s', 'cat', '-x', '120', '-y', '40', 'exec cat');
    await sleep(300);
    for (let i = 1; i <= keys; i++) {
      const t0 = nowNs();
      tmux('send-keys', '-t', 'cat', 'x');
      await until(() => (screen('cat').match(/x/g) ?? []).length >= i, 10_000, 'the echo');
      keyFloor.push(msSince(t0));
      await sleep(50);
    }
  } finally {
    server.kill();
    try {
      axum(['daemon', 'stop', '--yes'], repo.dir);
    } catch {
      // stopped
    }
    repo.cleanup();
  }
  const a = stats(tuiCpu);
  const b = stats(baseCpu);
  const k = stats(keyLatency);
  return {
    name: `TUI following ${rate.toLocaleString('en')} lines/s (tmux 120×40, ${window} s window)`,
    unit: '% of one core · ms',
    rows: [
      { label: 'axum TUI CPU (% of a core, per second)', ...a },
      { label: 'baseline tail -f CPU (% of a core)', ...b },
      { label: 'axum key → visible change (ms, ? / Esc)', ...k },
      { label: 'floor: key → echo in `cat`, same tmux (ms)', ...stats(keyFloor) },
      { label: 'floor under load: the same, during the firehose (ms)', ...stats(keyFloorLoaded) },
    ],
    goal: 'TUI ≤ 25% of one core; key → change p95 ≤ 100 ms',
    met: linesSeen && a.median <= 25 && k.p95 <= 100,
    note: `TUI CPU median ${a.median.toFixed(1)}% vs tail ${b.median.toFixed(1)}%; key p95 ${k.p95.toFixed(0)} ms (measurement floor p95 ${stats(keyFloor).p95.toFixed(0)} ms, ${stats(keyFloorLoaded).p95.toFixed(0)} ms during the firehose)`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await tuiFirehose({ seconds: Number(process.argv[2] ?? 12), window: Number(process.argv[3] ?? 5), keys: 10 });
  for (const row of r.rows) console.log(row.label, row.median?.toFixed(1), row.p95?.toFixed(1), row.min?.toFixed(1), row.max?.toFixed(1));
  console.log(r.met, r.note);
}
