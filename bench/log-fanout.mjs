// Scenario: log fan-out. One step prints 10 MB/s of fixed-width numbered lines (bench/firehose.mjs);
// 10 clients follow the run's log through the real protocol client of the `axum` command
// (`logs.follow` → `log.chunk`), plus one stalled client that stops reading its socket.
// Baseline in the same run: a raw `ws` server on a Unix socket that broadcasts the same process's
// stdout to 10 raw `ws` clients. Per client: throughput, lines lost/duplicated, latency per chunk
// (now − the write time of the chunk's oldest line).
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ROOT, axum, scratchRepo, sleep, startDaemon, stats, until } from './lib.mjs';
import { rssMiB } from './idle-memory.mjs';

const { connectToDaemon } = await import(join(ROOT, 'packages', 'tui', 'dist', 'client', 'daemon-connection.js'));
const { encode, PROTOCOL_VERSION, AXUM_VERSION } = await import(join(ROOT, 'packages', 'protocol', 'dist', 'index.js'));

const LINE = 100;
/** How long after the run the stalled client may still be dropped: the daemon's 5 s rule, plus its 1 s check and slack. */
const STALL_VERDICT_MS = 10_000;

/** utime + stime of a process, in seconds (clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Checks chunks of whole fixed-width lines for gaps and duplicates; records latencies. */
function lineChecker() {
  let expected = 0;
  let carry = '';
  const c = { bytes: 0, lines: 0, lost: 0, duplicated: 0, latencies: [], firstAt: 0, lastAt: 0, firstWritten: 0 };
  c.feed = (text) => {
    const now = Date.now();
    c.firstAt ||= now;
    c.lastAt = now;
    c.bytes += text.length;
    text = carry + text;
    const whole = text.length - (text.length % LINE);
    carry = text.slice(whole);
    if (whole === 0) return;
    const first = Number(text.slice(0, 10));
    const last = Number(text.slice(whole - LINE, whole - LINE + 10));
    const written = Number(text.slice(11, 24));
    c.firstWritten ||= written;
    c.latencies.push(now - written);
    const n = whole / LINE;
    if (first > expected) c.lost += first - expected;
    if (first < expected) c.duplicated += expected - first;
    if (last - first + 1 !== n || text[whole - 1] !== '\n') c.lost += Math.abs(last - first + 1 - n) || 1; // garbled or non-contiguous
    c.lines += n;
    expected = last + 1;
  };
  c.expected = () => expected;
  return c;
}

function summarize(checkers, totalLines) {
  const throughput = checkers.map((c) => c.bytes / 1e6 / ((c.lastAt - c.firstWritten) / 1000));
  const latencies = checkers.flatMap((c) => c.latencies);
  const lost = checkers.reduce((sum, c) => sum + c.lost + Math.max(0, totalLines - c.expected()), 0);
  const duplicated = checkers.reduce((sum, c) => sum + c.duplicated, 0);
  return { throughput: stats(throughput), latency: stats(latencies), lost, duplicated };
}

async function axumSide({ clients, seconds, rate }) {
  const lineRate = Math.round(rate / LINE);
  const repo = scratchRepo({
    'axum.yml': `version: 1\nenvironments:\n  dev: { branch: main }\nstages:\n  - name: test\n    steps:\n      - { name: hose, run: "node firehose.mjs ${lineRate} ${LINE} ${seconds}", timeout: 5m }\n`,
    'firehose.mjs': readFileSync(join(ROOT, 'bench', 'firehose.mjs'), 'utf8'),
  });
  const total = lineRate * seconds;
  try {
    await startDaemon(repo.dir);
    const info = JSON.parse(readFileSync(join(repo.dir, '.axum', 'daemon.json'), 'utf8'));
    const { pid } = info;
    const connections = [];
    for (let i = 0; i < clients; i++) connections.push(await connectToDaemon(info, `bench-follow-${i}`));
    // The stalled client: the same protocol on a raw ws, whose socket stops being read.
    const token = readFileSync(info.tokenFile, 'utf8').trim();
    const stalled = new WebSocket(`ws+unix://${info.socket}:/`, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    let stalledBytes = 0;
    let stalledClosed = false;
    stalled.on('message', (data) => (stalledBytes += data.length));
    stalled.on('close', () => (stalledClosed = true));
    await new Promise((resolve) => stalled.once('open', resolve));
    stalled.send(encode({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: { name: 'bench-stalled', version: AXUM_VERSION, pid: process.pid } }));
    await sleep(100);

    const checkers = connections.map(() => lineChecker());
    // Done when every line arrived; `complete` (the daemon saying the step's log ended) is counted.
    let completes = 0;
    const done = connections.map(
      (c, i) =>
        new Promise((resolve) => {
          c.onMessage((m) => {
            if (m.type !== 'log.chunk') return;
            checkers[i].feed(m.data);
            if (m.complete) completes++;
            if (m.complete || checkers[i].expected() >= total) resolve();
          });
        }),
    );
    const [driver] = connections;
    const run = await driver.request('run.trigger', { branch: 'main' });
    await until(async () => ((await driver.request('run.get', { runId: run.id })).steps.some((s) => s.name === 'hose') ? true : null), 30_000, 'the step to exist');
    await Promise.all(connections.map((c) => c.request('logs.follow', { runId: run.id, step: 'hose', offset: 0 })));
    stalled.send(JSON.stringify({ type: 'request', id: 's1', method: 'logs.follow', params: { runId: run.id, step: 'hose', offset: 0 } }));
    await sleep(200);
    stalled._socket.pause();
    const pausedAt = Date.now();
    const cpuBefore = cpuSeconds(pid);
    const stalledBefore = stalledBytes;
    let peakRss = 0;
    const rssTimer = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, rssMiB(pid));
      } catch {
        // exited
      }
    }, 100);
    await Promise.race([Promise.all(done), sleep(seconds * 1000 + 60_000)]);
    await sleep(300); // the last `complete` flags
    const cpu = cpuSeconds(pid) - cpuBefore;
    clearInterval(rssTimer);
    // The daemon drops a client that takes nothing for 5 s (ws-transport.ts, STALL_MS): with a run of
    // 5 s, whether that lands before the run ends is a race, so wait (still stalled) for the verdict.
    const daemonLog = () => readFileSync(join(repo.dir, '.axum', 'daemon.log'), 'utf8');
    const dropLine = /^(\S+) \w+ client c\d+ dropped: (\d+) bytes unsent/m;
    await until(() => dropLine.test(daemonLog()) || null, STALL_VERDICT_MS, 'the drop').catch(() => undefined);
    // What the daemon still held for the stalled client: it arrives in one burst once it reads again.
    stalled._socket.resume();
    await sleep(30);
    const stalledBacklog = stalledBytes - stalledBefore;
    const drop = dropLine.exec(daemonLog());
    for (const c of connections) c.close();
    stalled.terminate();
    const stalledResult = { dropped: Boolean(drop) || stalledClosed, droppedAtBytes: drop ? Number(drop[2]) : null, droppedAfterS: drop ? (Date.parse(drop[1]) - pausedAt) / 1000 : null, backlogBytes: stalledBacklog };
    return { ...summarize(checkers, total), completes, peakRss, daemonCpuS: cpu, stalled: stalledResult };
  } finally {
    try {
      axum(['daemon', 'stop', '--yes'], repo.dir);
    } catch {
      // stopped
    }
    repo.cleanup();
  }
}

async function baselineSide({ clients, seconds, rate }) {
  const lineRate = Math.round(rate / LINE);
  const dir = scratchRepo({ 'firehose.mjs': readFileSync(join(ROOT, 'bench', 'firehose.mjs'), 'utf8') });
  const socket = join(dir.dir, '..', 'b.sock');
  copyFileSync(join(ROOT, 'bench', 'firehose.mjs'), join(dir.dir, 'hose.mjs'));
  // The server in its own process, like the daemon: stdout of the step → every client, as is.
  const server = `
    import { createServer } from 'node:http';
    import { spawn } from 'node:child_process';
    const { WebSocketServer } = await import(${JSON.stringify(join(ROOT, 'bench', 'node_modules', 'ws', 'index.js'))}).then((m) => m.default ? { WebSocketServer: m.default.WebSocketServer ?? m.WebSocketServer } : m);
    const http = createServer();
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    wss.on('connection', () => {
      if (wss.clients.size < ${clients}) return;
      const child = spawn('node', [${JSON.stringify(join(dir.dir, 'hose.mjs'))}, '${lineRate}', '${LINE}', '${seconds}'], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text) => { for (const ws of wss.clients) ws.send(text); });
      child.on('exit', () => { for (const ws of wss.clients) ws.send('END'); });
    });
    http.listen(${JSON.stringify(socket)}, () => process.stdout.write('ready'));
  `;
  rmSync(socket, { force: true });
  const proc = spawn(process.execPath, ['--input-type=module', '-e', server], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    // Listening, not merely bound (the socket file exists before listen() completes).
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the baseline server did not start')), 10_000);
      proc.stdout.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const checkers = [];
    const done = [];
    const sockets = [];
    for (let i = 0; i < clients; i++) {
      const checker = lineChecker();
      checkers.push(checker);
      const ws = new WebSocket(`ws+unix://${socket}:/`, { perMessageDeflate: false });
      sockets.push(ws);
      done.push(
        new Promise((resolve) =>
          ws.on('message', (data) => {
            const text = data.toString();
            if (text !== 'END') checker.feed(text);
            if (text === 'END' || checker.expected() >= lineRate * seconds) resolve();
          }),
        ),
      );
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
    }
    await Promise.race([Promise.all(done), sleep(seconds * 1000 + 60_000)]);
    for (const ws of sockets) ws.terminate();
    return summarize(checkers, lineRate * seconds);
  } finally {
    proc.kill();
    dir.cleanup();
    rmSync(socket, { force: true });
  }
}

export async function logFanout({ clients = 10, seconds, rate = 10e6 }) {
  const a = await axumSide({ clients, seconds, rate });
  const b = await baselineSide({ clients, seconds, rate });
  const ratio = a.throughput.median / b.throughput.median;
  const met = ratio >= 0.5 && a.lost === 0 && a.duplicated === 0 && a.latency.p99 < 250 && (a.stalled.dropped ? a.stalled.droppedAtBytes <= 4 * 2 ** 20 : a.stalled.backlogBytes <= 4 * 2 ** 20);
  return {
    name: `log fan-out: ${rate / 1e6} MB/s for ${seconds} s to ${clients} clients (+1 stalled)`,
    unit: 'MB/s per client · ms',
    rows: [
      { label: 'axum throughput per client (MB/s)', ...a.throughput },
      { label: 'baseline raw ws throughput per client (MB/s)', ...b.throughput },
      { label: 'axum latency per chunk (ms, oldest line)', ...a.latency },
      { label: 'baseline latency per chunk (ms)', ...b.latency },
    ],
    goal: '≥ 0.5× baseline throughput; 0 lost/duplicated; p99 < 250 ms with a stalled client; it holds ≤ 4 MiB',
    met,
    note: `ratio ${ratio.toFixed(2)}; axum p99 ${a.latency.p99} ms; lost ${a.lost}, duplicated ${a.duplicated} (baseline ${b.lost}/${b.duplicated}); ${a.completes}/${clients} clients told the log was complete; stalled client ${a.stalled.dropped ? `dropped at ${a.stalled.droppedAtBytes ?? '?'} bytes, ${a.stalled.droppedAfterS?.toFixed(1) ?? '?'} s after it stopped reading` : `not dropped within ${STALL_VERDICT_MS / 1000} s after the run`}, its backlog ${(a.stalled.backlogBytes / 2 ** 20).toFixed(2)} MiB; daemon peak RSS ${a.peakRss.toFixed(0)} MiB, daemon CPU ${a.daemonCpuS.toFixed(1)} s`,
    details: { axum: a, baseline: b },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await logFanout({ seconds: Number(process.argv[2] ?? 3) });
  for (const row of r.rows) console.log(row.label, row.median?.toFixed(1), row.p95?.toFixed(1), row.p99?.toFixed(1), row.min?.toFixed(1), row.max?.toFixed(1));
  console.log(r.met, r.note);
}
