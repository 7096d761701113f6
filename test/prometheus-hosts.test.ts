// Prometheus checks per host, end to end (README.md, "Checks that ask Prometheus"): a remote
// environment on two real sshd hosts, a real `prometheus` scraping one metrics server per host
// (labelled `host`), and a verify check whose query says `$HOST`: measured on each host, the one
// whose error rate is high fails the revision, named, and every host goes back (rollback.auto).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axum, cleanupRepo, commitFiles, historyText, makeRepo, waitFor } from './support/axum.js';
import { SSHD_MISSING, startSshLab, type SshLab } from './support/sshd.js';

const HAS_PROMETHEUS = spawnSync('sh', ['-c', 'command -v prometheus'], { stdio: 'ignore' }).status === 0;
const MISSING = !HAS_PROMETHEUS ? 'prometheus is not on PATH' : SSHD_MISSING;

interface Revision {
  revision: number;
  status: string;
  releaseId: string;
  message: string | null;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe.skipIf(MISSING !== null)(`Prometheus checks per host: a real Prometheus and two real sshd hosts${MISSING ? ` (skipped: ${MISSING}; pnpm system-deps installs it)` : ''}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'axum-prometheus-hosts-'));
  /** Each host's model server's error ratio per release (0.001 unless a test raises it). */
  const errorRatio = new Map<string, number>();
  const servers: Server[] = [];
  let prometheus: ChildProcess;
  let lab: SshLab;
  let url = '';
  let dir = '';

  beforeAll(async () => {
    lab = await startSshLab(join(work, 'ssh'), ['alpha', 'beta']);
    const targets: string[] = [];
    for (const host of ['alpha', 'beta']) {
      const server = createHttpServer((_req, res) => {
        const lines = ['# TYPE model_error_ratio gauge'];
        for (let n = 1; n <= 5; n++) lines.push(`model_error_ratio{release="rel-${n}"} ${errorRatio.get(`${host} rel-${n}`) ?? 0.001}`);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      targets.push(`      - targets: ['127.0.0.1:${(server.address() as AddressInfo).port}']\n        labels: { host: ${host} }\n`);
    }
    writeFileSync(join(work, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: model\n    static_configs:\n${targets.join('')}`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const out = openSync(join(work, 'prometheus.log'), 'a');
    prometheus = spawn('prometheus', [`--config.file=${join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${join(work, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', out, out] });
    await waitFor(async () => {
      const answer = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('model_error_ratio{release="rel-1"}')}`)
        .then((r) => r.json() as Promise<{ data?: { result?: unknown[] } }>)
        .catch(() => null);
      return (answer?.data?.result?.length ?? 0) === 2;
    }, 60_000, 'prometheus to scrape both hosts');
  }, 120_000);
  afterAll(async () => {
    if (prometheus?.pid !== undefined && prometheus.exitCode === null) {
      prometheus.kill('SIGTERM');
      await new Promise((resolve) => prometheus.once('exit', resolve));
    }
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await lab?.stop();
    if (dir) await cleanupRepo(dir);
    rmSync(work, { recursive: true, force: true });
  });

  it('a $HOST query is measured on each host; a high error rate on beta fails the revision naming beta, and every host goes back', { timeout: 400_000 }, async () => {
    dir = makeRepo({
      config: `version: 1
environments:
  production:
    branch: main
    protected: false
    hosts:
${lab.hosts.map((h) => `      - ${h.spec}`).join('\n')}
stages:
  - name: build
    steps:
      - { name: train, run: "mkdir -p model && cp data.txt model/weights.txt" }
artifacts: [model/**]
verify:
  checks:
    - name: error_rate
      prometheus: { url: "${url}", query: 'model_error_ratio{host="$HOST",release="$RELEASE"}' }
      fail: "> 0.02"
      every: 1s
      count: 2
rollback: { auto: true }
`,
    });
    const run = (args: string[]) => axum([...args, '--repo', dir], { env: { AXUM_SSH_CONFIG: lab.config }, timeoutMs: 60_000 });
    const history = async () => JSON.parse((await run(['history', 'production', '--json'])).stdout) as Revision[];
    const settled = async (count: number) => {
      let revisions: Revision[] = [];
      await waitFor(async () => {
        revisions = await history();
        return revisions.length >= count && revisions.every((r) => r.status !== 'deploying' && r.status !== 'verifying');
      }, 240_000, `${count} settled revisions`);
      return revisions;
    };
    expect((await run(['daemon', 'start'])).code).toBe(0);
    await waitFor(() => historyText(dir).includes('"main"'), 10_000, 'the first reconciliation');
    commitFiles(dir, 'v1', { 'data.txt': '1\n' });
    const [first] = await settled(1);
    expect(first).toMatchObject({ revision: 1, status: 'live', releaseId: 'rel-1' });
    const log = (await run(['logs', 'production#1', '--step', 'error_rate'])).stdout;
    for (const host of lab.hosts) expect(log.match(new RegExp(`\\[${host.spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\] error_rate = 0\\.001 ✓`, 'g'))).toHaveLength(2);

    errorRatio.set('beta rel-2', 0.5);
    commitFiles(dir, 'v2', { 'data.txt': '2\n' });
    const after = await settled(3); // #2 failed, #3 the automatic rollback
    const failed = after.find((r) => r.revision === 2)!;
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain(`check error_rate on ${lab.hosts[1]!.spec} failed`);
    expect(after[0]).toMatchObject({ status: 'live', releaseId: 'rel-1' });
    expect(lab.hosts.map((h) => readlinkSync(join(h.root, 'current')))).toEqual(['releases/rel-1', 'releases/rel-1']);
  });
});
