// A real `prometheus` on loopback scraping model servers the test runs (docs/gates-and-checks.md,
// "Checks that ask Prometheus"): one tiny HTTP server per target saying
// `model_error_ratio{release="rel-N"}` for rel-1…rel-`releases`, each ratio 0.001 unless the test
// raises it. Shared by prometheus.test.ts and prometheus-hosts.test.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './axum.js';

export const PROMETHEUS_MISSING: string | null = spawnSync('sh', ['-c', 'command -v prometheus'], { stdio: 'ignore' }).status === 0 ? null : 'prometheus is not on PATH';

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface PrometheusLab {
  /** Prometheus' base URL. */
  url: string;
  /** The error ratio said for a release, keyed `rel-2` (one unlabelled target) or `<host> rel-2` (labelled); unset is 0.001. */
  errorRatio: Map<string, number>;
  stop(): Promise<void>;
}

/**
 * Starts one metrics server per target (labelled `host: <target>` when `labelHosts`), and
 * Prometheus scraping them every second; resolves once it has scraped every target once.
 */
export async function startPrometheusLab(options: { targets: string[]; releases: number; labelHosts: boolean; readyTimeoutMs?: number }): Promise<PrometheusLab> {
  const work = mkdtempSync(join(tmpdir(), 'axum-prometheus-'));
  const errorRatio = new Map<string, number>();
  const servers: Server[] = [];
  const scrape: string[] = [];
  for (const target of options.targets) {
    const server = createHttpServer((_req, res) => {
      const lines = ['# TYPE model_error_ratio gauge'];
      for (let n = 1; n <= options.releases; n++) lines.push(`model_error_ratio{release="rel-${n}"} ${errorRatio.get(options.labelHosts ? `${target} rel-${n}` : `rel-${n}`) ?? 0.001}`);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const labels = options.labelHosts ? `\n        labels: { host: ${target} }` : '';
    scrape.push(`      - targets: ['127.0.0.1:${(server.address() as AddressInfo).port}']${labels}\n`);
  }
  writeFileSync(join(work, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: model\n    static_configs:\n${scrape.join('')}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const out = openSync(join(work, 'prometheus.log'), 'a');
  const prometheus: ChildProcess = spawn('prometheus', [`--config.file=${join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${join(work, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', out, out] });
  const stop = async () => {
    if (prometheus.pid !== undefined && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    rmSync(work, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      const answer = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('model_error_ratio{release="rel-1"}')}`)
        .then((r) => r.json() as Promise<{ data?: { result?: unknown[] } }>)
        // Not up yet: refused, or 503 "Service Unavailable" while it starts.
        .catch(() => null);
      return (answer?.data?.result?.length ?? 0) === options.targets.length;
    }, options.readyTimeoutMs ?? 60_000, 'prometheus to scrape every model server');
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, errorRatio, stop };
}
