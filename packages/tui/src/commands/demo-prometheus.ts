// The demo's Prometheus chapter (docs/gates-and-checks.md, "Checks that ask Prometheus"): a real `prometheus`
// (Debian's package) on loopback scrapes the example model server's /metrics every second; the
// example project's monitor asks it for the live release's error rate, and a model that passes its
// offline eval but fails under live traffic is rolled back by that monitor.
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import type { DaemonConnection } from '../client/daemon-connection.js';
import type { LoadGenerator } from './demo-load.js';

/** `prometheus` on PATH (Debian's package: /usr/bin/prometheus), or null. */
export function findPrometheus(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'prometheus'), constants.X_OK);
      return join(dir, 'prometheus');
    } catch {
      // not here
    }
  }
  return null;
}

/** Why the chapter is skipped when there is no `prometheus` (one line of the story). */
export const NO_PROMETHEUS = 'prometheus is not on PATH (Debian/Ubuntu: apt-get install prometheus, or pnpm system-deps)';

/**
 * The monitor the demo adds to the example project's axum.yml: every second, the live release's
 * share of predictions answered HTTP 500 over the last 5 s (five 1 s scrapes); above 5% three
 * times in a row is an incident, and `rollback.auto` goes back to the last known good.
 */
export function monitorYaml(url: string): string {
  const rate = (metric: string) => `sum(rate(${metric}{env="$ENV",release="$RELEASE"}[5s]))`;
  return `
# Added by axum demo (prometheus is on PATH): the live release's error rate under live traffic,
# asked of Prometheus every second (the model server labels its series by env and release).
monitor:
  every: 1s
  failures: 3
  checks:
    - name: error_rate
      prometheus:
        url: ${url}
        query: '${rate('model_errors_total')} / ${rate('model_requests_total')}'
      fail: "> 0.05"
      inconclusive: 10
`;
}

export interface DemoPrometheus {
  url: string;
  /** Settles once Prometheus has scraped the model server: null, or why it cannot be used. */
  ready: Promise<string | null>;
  /** Stops the process (TERM, then KILL after 5 s) and removes its config and storage. */
  stop(): Promise<void>;
}

/** Starts `bin` on a free loopback port, its config and storage in `dir`, scraping `target` every second. */
export async function startPrometheus(bin: string, dir: string, target: string): Promise<DemoPrometheus> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: model-server\n    static_configs:\n      - targets: ['${target}']\n`);
  const logFile = join(dir, 'prometheus.log');
  const out = openSync(logFile, 'a');
  const child = spawn(bin, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', out, out] });
  closeSync(out);
  let exited: string | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => resolve(void (exited = `exited (${signal ?? code})`)));
    child.once('error', (err) => resolve(void (exited = `did not start: ${err.message}`)));
  });
  const lastLogLine = () => {
    try {
      return readFileSync(logFile, 'utf8').trim().split('\n').at(-1)?.slice(0, 200) ?? '';
    } catch {
      return '';
    }
  };
  const ready = (async (): Promise<string | null> => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (exited) return `prometheus ${exited}: ${lastLogLine()}`;
      // Refused, or 503 "Service Unavailable" while it starts; then `up` is 1 once it scraped the server.
      if ((await queryValue(url, 'up{job="model-server"}')) === 1) return null;
      await new Promise((r) => setTimeout(r, 200));
    }
    return `prometheus did not scrape the model server within 60 s: ${lastLogLine()}`;
  })();
  return {
    url,
    ready,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The one value `query` answers now, or null (not up, no series, several, not a number). */
async function queryValue(url: string, query: string): Promise<number | null> {
  try {
    const answer = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(2000) });
    const body = (await answer.json()) as { data?: { result?: { value?: [number, string] }[] } };
    const result = body.data?.result;
    return result?.length === 1 ? Number(result[0]?.value?.[1]) : null;
  } catch {
    return null;
  }
}

/** A TCP port nothing listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** What the chapter needs of the story. */
export interface Story {
  conn: DaemonConnection;
  say(line: string): void;
  expect(what: string, ok: boolean, detail?: string): void;
  until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs?: number): Promise<T>;
  /** Commits v4 on staging: the training data fixed (v3's inverted labels), x1 log-scaled, 200 epochs. */
  commitV4(): string;
  load: LoadGenerator;
  /** Staging's last known good: where the monitor's rollback must go. */
  goodRelease: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * v4 passes its offline eval (the holdout comes from the training data's range) and goes live on
 * staging; live traffic reaches below the training data's smallest x1, where v4's log has no value,
 * so the server answers some predictions HTTP 500; Prometheus sees the error rate, staging's monitor
 * fails three times in a row, and the incident rolls staging back to the last known good.
 */
export async function liveTrafficChapter(story: Story): Promise<void> {
  const { conn, say, expect, until, load } = story;
  const history = () => conn.request('history.get', { env: 'staging' });
  const revision = ((await history())[0]?.revision ?? 0) + 1;
  say('v4: data fixed; x1 log-scaled, offset to keep every training x1 positive — the holdout (same range) scores well, but live x1 reaches -3, where the log is NaN → HTTP 500');
  const commit = story.commitV4();
  let wentLive = 0;
  const revisions = await until(
    'v4 to be rolled back by the monitor',
    async () => {
      const h = await history();
      const v4 = h.find((r) => r.revision === revision);
      if (!wentLive && v4?.status === 'live') {
        wentLive = Date.now();
        say(`staging #${revision} live: ${v4.releaseId} passed its gates (accuracy ${v4.metrics.accuracy ?? '?'}); under live traffic ${load.counts().errors} answers were HTTP 500 so far — the monitor asks Prometheus for its error rate every second`);
      }
      const top = h[0];
      return top && top.revision > revision && top.kind === 'auto-rollback' && top.status !== 'deploying' && top.status !== 'verifying' ? h : null;
    },
    90_000,
  );
  const v4 = revisions.find((r) => r.revision === revision);
  const rollback = revisions[0];
  const bad = (await conn.request('releases.list', {})).find((r) => r.id === v4?.releaseId)?.bad;
  say(`staging #${revision} incident: ${bad?.why ?? 'none recorded'}`);
  say(`staging #${rollback?.revision} ${rollback?.kind} → #${rollback?.rollbackTo}: ${rollback?.status} (${wentLive ? `${Date.now() - wentLive} ms after v4 went live` : 'v4 was never live'})`);
  // Answers in flight at the swap have landed by now; from here on the server answers with the last known good.
  await sleep(300);
  const errors = load.counts().errors;
  await sleep(700);
  const since = load.counts().errors - errors;
  // Verified, then rolled back by the monitor: it was live (the narration above says when it was seen so).
  const held = v4?.commit === commit && v4.verified && v4.gates.length > 0 && v4.gates.every((g) => g.verdict === 'pass');
  expect('v4 passed its offline eval on staging: its gates held and it went live', held, `#${revision} ${v4?.releaseId}: accuracy ${v4?.metrics.accuracy ?? '?'} on the holdout`);
  expect(
    `Prometheus saw v4 fail under live traffic: the monitor rolled staging back to ${story.goodRelease}, the last known good`,
    rollback?.status === 'live' && rollback.releaseId === story.goodRelease && bad?.by.includes('monitor') === true && /error_rate/.test(bad.why) && since === 0,
    `rollback #${rollback?.revision} serves ${rollback?.releaseId}; ${errors} answers were HTTP 500 while v4 was live, ${since} since`,
  );
}
