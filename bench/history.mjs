// Scenario: a repository whose `.axum` history holds 10,000 runs (the daemon's real record shape,
// validated with its own schema). Measures (1) daemon start, from spawn to the socket answering a
// handshake, and (2) record writes: `run.trigger` through the real protocol, acknowledged once the
// record is durable. Baseline in the same run: lowdb used naively (its `JSONFile`: the whole
// document pretty-printed and rewritten per update) with the same 10,000 records.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, axum, msSince, nowNs, scratchRepo, sleep, stats, until } from './lib.mjs';

const dist = (...p) => join(ROOT, 'packages', ...p);
const { RunsDocument } = await import(dist('daemon', 'dist', 'domain', 'history.js'));
const { createJournaledRunsStore, readRunsHistory } = await import(dist('daemon', 'dist', 'adapters', 'journaled-runs-store.js'));
const { connectToDaemon } = await import(dist('tui', 'dist', 'client', 'daemon-connection.js'));
const lowdbNode = await import(dist('daemon', 'node_modules', 'lowdb', 'lib', 'node.js'));
const lowdbCore = await import(dist('daemon', 'node_modules', 'lowdb', 'lib', 'index.js'));
// What the CLI spawns: the bundled daemon, with its node flags.
// BENCH_DAEMON_MAIN: another build's bundle (e.g. one built from main), to compare two builds side by side.
const DAEMON_MAIN = process.env.BENCH_DAEMON_MAIN ?? dist('daemon', 'dist', 'axum-daemon.mjs');
const { DAEMON_NODE_FLAGS } = await import(dist('protocol', 'dist', 'index.js'));

const hex = (i, len = 40) => (i.toString(16).padStart(8, '0').repeat(6)).slice(0, len);

/** `count` finished runs as the daemon writes them (two steps each), oldest first. */
export function seedRuns(count, head) {
  const runs = [];
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 1; i <= count; i++) {
    const created = new Date(t0 + i * 60_000);
    const iso = (ms) => new Date(created.getTime() + ms).toISOString();
    runs.push({
      id: `run-${i}`,
      number: i,
      status: i % 10 === 0 ? 'failed' : 'succeeded',
      commit: hex(i),
      branch: 'main',
      env: 'dev',
      trigger: 'push',
      createdAt: iso(0),
      startedAt: iso(120),
      finishedAt: iso(9_000),
      steps: [
        { stage: 'test', name: 'unit', status: 'succeeded', exitCode: 0, durationMs: 4_210, startedAt: iso(200), attempts: 1, logBytes: 18_422 },
        { stage: 'build', name: 'train', status: i % 10 === 0 ? 'failed' : 'succeeded', exitCode: i % 10 === 0 ? 1 : 0, durationMs: 4_530, startedAt: iso(4_500), attempts: 1, logBytes: 73_001 },
      ],
      subject: `train: tweak the learning rate schedule (experiment ${i})`,
      releaseId: null,
      message: null,
      pgids: [],
      worktree: null,
      stages: null,
    });
  }
  const doc = { version: 1, nextRunNumber: count + 1, heads: { main: head }, runs };
  const parsed = RunsDocument.safeParse(doc);
  if (!parsed.success) throw new Error(`seeded history does not match the daemon's schema: ${parsed.error.message}`);
  return doc;
}

const CONFIG = (keepRuns) =>
  `version: 1\nenvironments:\n  dev: { branch: main }\nstages:\n  - name: test\n    steps:\n      - { name: unit, run: "true" }\n${keepRuns ? `history: { keepRuns: ${keepRuns} }\n` : ''}`;

/** Spawns the daemon as the CLI does and times spawn → a handshake answered on its socket. */
async function startDaemon(dir, env = {}) {
  const logFd = openSync(join(dir, '.axum', 'daemon.log'), 'a');
  const discovery = join(dir, '.axum', 'daemon.json');
  rmSync(discovery, { force: true });
  const t0 = nowNs();
  // BENCH_DAEMON_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p") as in lib.mjs's startDaemon: to profile the daemon here.
  const flags = process.env.BENCH_DAEMON_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, ...flags, DAEMON_MAIN, '--axum-daemon', '--repo', dir], { cwd: dir, detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, ...env } });
  closeSync(logFd);
  child.unref();
  const info = await until(() => existsSync(discovery) && JSON.parse(readFileSync(discovery, 'utf8')), 30_000, 'daemon.json');
  const connection = await until(() => connectToDaemon(info, 'bench-history').catch(() => null), 30_000, 'the daemon to answer');
  const ms = msSince(t0);
  return { ms, connection };
}

/**
 * Counts compactions of the runs history by watching `runs.json`: every compaction renames a new
 * snapshot over it (a new inode). Polled every 2 ms from this process; a compaction also shows
 * while its old journal segment (`runs.journal.old`, written by a background fold) exists.
 */
function watchCompactions(historyFile) {
  const ino = () => {
    try {
      return statSync(historyFile).ino;
    } catch {
      return null;
    }
  };
  const oldSegment = historyFile.replace(/\.json$/, '') + '.journal.old';
  let last = ino();
  let count = 0;
  const poll = () => {
    const now = ino();
    if (now !== null && now !== last) {
      count += 1;
      last = now;
    }
  };
  const timer = setInterval(poll, 2);
  return {
    /** Compactions seen so far (renames of runs.json) and whether a fold is in flight right now. */
    mark() {
      poll();
      return { count, folding: existsSync(oldSegment) };
    },
    stop() {
      clearInterval(timer);
    },
  };
}

async function axumSide(doc, { startReps, writes, keepRuns, env = {} }) {
  const repo = scratchRepo({ 'axum.yml': CONFIG(keepRuns) });
  // The seeded heads name this repository's head, so the start queues nothing.
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo.dir, encoding: 'utf8' }).trim();
  const docText = JSON.stringify({ ...doc, heads: { main: head } });
  const historyFile = join(repo.dir, '.axum', 'history', 'runs.json');
  const start = [];
  const write = [];
  // Acks during which a compaction ran (a snapshot renamed over runs.json, or a fold in flight).
  const withCompaction = [];
  const withoutCompaction = [];
  let compactions = 0;
  let runsAfter = 0;
  try {
    mkdirSync(join(repo.dir, '.axum', 'history'), { recursive: true });
    for (let i = 0; i < startReps; i++) {
      writeFileSync(historyFile, docText);
      rmSync(join(repo.dir, '.axum', 'history', 'runs.journal'), { force: true });
      rmSync(join(repo.dir, '.axum', 'history', 'runs.journal.old'), { force: true });
      const { ms, connection } = await startDaemon(repo.dir, env);
      start.push(ms);
      if (i === startReps - 1) {
        // Record writes: each `run.trigger` answers once the new run's record is saved (fsync'd).
        // Every trigger starts a run (a `true` step), whose transitions are saves too, so the
        // journal grows by several lines per trigger and compactions happen inside the window.
        const watch = watchCompactions(historyFile);
        const first = watch.mark();
        try {
          for (let w = 0; w < writes; w++) {
            const before = watch.mark();
            const t0 = nowNs();
            // `again`: every trigger a new run, though the last one of that head may still run.
            await connection.request('run.trigger', { branch: 'main', again: true });
            const ms = msSince(t0);
            const after = watch.mark();
            write.push(ms);
            (after.count !== before.count || before.folding || after.folding ? withCompaction : withoutCompaction).push(ms);
            await sleep(20);
          }
          compactions = watch.mark().count - first.count;
        } finally {
          watch.stop();
        }
        await sleep(500);
        runsAfter = readRunsHistory(historyFile).runs.length;
      }
      connection.close();
      axum(['daemon', 'stop', '--yes'], repo.dir);
    }
  } finally {
    try {
      axum(['daemon', 'stop', '--yes'], repo.dir);
    } catch {
      // stopped
    }
    repo.cleanup();
  }
  return { start: stats(start), write: stats(write), withCompaction: stats(withCompaction), withoutCompaction: stats(withoutCompaction), compactions, runsAfter };
}

/**
 * The daemon's own runs store in process, same 10k document: the cost of one save alone. Saves
 * alternate as a run's life does: a new run queued, then that run changed in place (a transition).
 * Enough saves that the journal is folded into the snapshot several times (the default threshold:
 * the snapshot's size, capped at 1 MiB), counted and timed apart.
 */
async function adapterSaves(doc, writes, dir) {
  mkdirSync(join(dir, 'adapter'), { recursive: true });
  const file = join(dir, 'adapter', 'runs.json');
  writeFileSync(file, JSON.stringify(doc));
  const store = createJournaledRunsStore(file);
  const { doc: loaded } = await store.load();
  const samples = [];
  const withCompaction = [];
  const withoutCompaction = [];
  const watch = watchCompactions(file);
  const first = watch.mark();
  let n = loaded.nextRunNumber;
  for (let w = 0; w < writes; w++) {
    const changed = [];
    if (w % 2 === 0) {
      loaded.runs.push({ ...loaded.runs.at(-1), id: `run-${n}`, number: n, status: 'queued' });
      loaded.nextRunNumber = ++n;
    } else {
      const last = loaded.runs.at(-1);
      last.status = 'running';
      changed.push(last.id);
    }
    const before = watch.mark();
    const t0 = nowNs();
    await store.save(loaded, changed);
    const ms = msSince(t0);
    const after = watch.mark();
    samples.push(ms);
    (after.count !== before.count || before.folding || after.folding ? withCompaction : withoutCompaction).push(ms);
  }
  const compactions = watch.mark().count - first.count;
  watch.stop();
  await store.close();
  return { all: stats(samples), withCompaction: stats(withCompaction), withoutCompaction: stats(withoutCompaction), compactions };
}

/** Naive lowdb: `JSONFile` (pretty-printed, whole file per write), start = spawn → socket answers. */
async function naive(doc, { startReps, writes }, dir) {
  const file = join(dir, 'naive', 'db.json');
  mkdirSync(join(dir, 'naive'), { recursive: true });
  writeFileSync(file, JSON.stringify(doc, null, 2));
  const sock = join(dir, 'naive', 's.sock');
  const server = `
    import { createServer } from 'node:net';
    const { JSONFile } = await import(${JSON.stringify(dist('daemon', 'node_modules', 'lowdb', 'lib', 'node.js'))});
    const { Low } = await import(${JSON.stringify(dist('daemon', 'node_modules', 'lowdb', 'lib', 'index.js'))});
    const db = new Low(new JSONFile(${JSON.stringify(file)}), {});
    await db.read();
    createServer((s) => s.end(String(db.data.runs.length))).listen(${JSON.stringify(sock)});
  `;
  const start = [];
  for (let i = 0; i < startReps; i++) {
    rmSync(sock, { force: true });
    const t0 = nowNs();
    const child = spawn(process.execPath, ['--input-type=module', '-e', server], { stdio: 'ignore' });
    await until(
      () =>
        new Promise((resolve) => {
          import('node:net').then(({ connect }) => {
            const c = connect(sock);
            c.on('data', () => resolve(true));
            c.on('error', () => resolve(false));
          });
        }),
      30_000,
      'the naive server',
    );
    start.push(msSince(t0));
    child.kill();
  }
  const db = new lowdbCore.Low(new lowdbNode.JSONFile(file), {});
  await db.read();
  const write = [];
  for (let w = 0; w < writes; w++) {
    const n = db.data.nextRunNumber++;
    db.data.runs.push({ ...db.data.runs.at(-1), id: `run-${n}`, number: n });
    const t0 = nowNs();
    await db.write();
    write.push(msSince(t0));
  }
  return { start: stats(start), write: stats(write) };
}

export async function history({ runs, startReps, writes, triggers, defaultTriggers = 20, compactBytes = 256 * 1024 }) {
  const work = scratchRepo({ 'README.md': 'x\n' });
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: work.dir, encoding: 'utf8' }).trim();
    const doc = seedRuns(runs, head);
    // The daemon compacts when its journal reaches AXUM_HISTORY_COMPACT_BYTES (default: the snapshot's
    // size capped at 1 MiB, ~400 triggers here). Set lower, every compaction still rewrites the
    // whole 7.3 MB snapshot, only more often: more of the timed acks meet one, not fewer.
    const kept = await axumSide(doc, { startReps, writes: triggers, keepRuns: runs, env: { AXUM_HISTORY_COMPACT_BYTES: String(compactBytes) } });
    const byDefault = await axumSide(doc, { startReps: 1, writes: defaultTriggers, keepRuns: null });
    const adapter = await adapterSaves(JSON.parse(JSON.stringify(doc)), writes, work.dir);
    const baseline = await naive(JSON.parse(JSON.stringify(doc)), { startReps, writes: 50 }, work.dir);
    const sizeMB = (Buffer.byteLength(JSON.stringify(doc)) / 1e6).toFixed(1);
    return {
      name: `history with ${runs.toLocaleString('en')} runs (runs.json ${sizeMB} MB compact)`,
      unit: 'ms',
      rows: [
        { label: 'axum daemon start: spawn → handshake answered', ...kept.start },
        { label: 'baseline start: naive lowdb read → socket answers', ...baseline.start },
        { label: `axum run.trigger acked (keepRuns ${runs}), all`, ...kept.write },
        { label: `… acks during a compaction (${kept.compactions} compactions)`, ...kept.withCompaction },
        { label: '… acks with no compaction', ...kept.withoutCompaction },
        { label: `axum runs store alone, all saves`, ...adapter.all },
        { label: `… saves during a compaction (${adapter.compactions} compactions)`, ...adapter.withCompaction },
        { label: '… saves with no compaction', ...adapter.withoutCompaction },
        { label: 'baseline write: lowdb JSONFile.write (pretty, whole)', ...baseline.write },
        { label: `axum run.trigger acked, default keepRuns (500 after)`, ...byDefault.write },
      ],
      goal: 'start < 1 s; run.trigger acknowledged p99 ≤ 50 ms, compactions included',
      met: kept.start.median < 1000 && kept.write.p99 <= 50 && kept.compactions > 0,
      note: `after the writes the default config kept ${byDefault.runsAfter} runs on disk, keepRuns ${runs} kept ${kept.runsAfter}; run.trigger acked p99 ${kept.write.p99.toFixed(1)} ms over ${kept.write.n} triggers with ${kept.compactions} compactions inside the window (AXUM_HISTORY_COMPACT_BYTES=${compactBytes}); store alone p99 ${adapter.all.p99.toFixed(1)} ms over ${adapter.all.n} saves with ${adapter.compactions} compactions`,
      compactions: { trigger: kept.compactions, store: adapter.compactions },
    };
  } finally {
    work.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
  console.log(JSON.stringify(await history({ runs: 10_000, startReps: arg('starts', 3), writes: arg('saves', 4000), triggers: arg('triggers', 600), compactBytes: arg('compact-bytes', 256 * 1024) }), null, 2));
}
