// The example project's model server (examples/model-project/src/serve.mjs), which the demo's
// Prometheus chapter scrapes: predictions through `current`, HTTP 500 for an unusable prediction,
// and /metrics in Prometheus's text format labelled by env and release (docs/gates-and-checks.md,
// "Checks that ask Prometheus"). `promtool check metrics` lints the exposition when it is installed
// (it comes with prometheus).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/axum.js';

const HAS_PROMTOOL = spawnSync('sh', ['-c', 'command -v promtool'], { stdio: 'ignore' }).status === 0;

describe('the example model server', () => {
  let work = '';
  let server: ChildProcess;
  let base = '';
  /** A release folder as the daemon makes it: rel-N/manifest.json and rel-N/files/model/weights.json. */
  const release = (id: string, weights: object) => {
    mkdirSync(join(work, 'releases', id, 'files', 'model'), { recursive: true });
    writeFileSync(join(work, 'releases', id, 'manifest.json'), JSON.stringify({ version: 1, id }));
    writeFileSync(join(work, 'releases', id, 'files', 'model', 'weights.json'), JSON.stringify(weights));
  };
  const point = (env: string, id: string) => {
    const link = join(work, 'envs', env, 'current');
    rmSync(link, { force: true });
    symlinkSync(join(work, 'releases', id, 'files'), link);
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'axum-example-server-'));
    mkdirSync(join(work, 'envs', 'staging'), { recursive: true });
    mkdirSync(join(work, 'envs', 'production'), { recursive: true });
    release('rel-1', { w1: 1.5, w2: -1, b: 0.3, epochs: 50 });
    // x1 log-scaled: no answer for x1 <= -2.
    release('rel-2', { w1: 4, w2: -1.6, b: -2, x1LogOffset: 2, epochs: 200 });
    point('staging', 'rel-1');
    point('production', 'rel-1');
    server = spawn(process.execPath, [join(ROOT, 'examples', 'model-project', 'src', 'serve.mjs'), '0', join(work, 'envs', 'staging'), join(work, 'envs', 'production')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout?.on('data', (d: Buffer) => {
        const match = /serving on 127\.0\.0\.1:(\d+)/.exec(d.toString());
        if (match) resolve(Number(match[1]));
      });
      server.once('exit', (code) => reject(new Error(`serve.mjs exited (${code})`)));
    });
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    if (server?.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('labels every series with the release `current` names, counts unusable predictions as errors (HTTP 500), and keeps a latency histogram', async () => {
    const ask = async (env: string, x1: number) => {
      const answer = await fetch(`${base}/predict/${env}?x1=${x1}&x2=0.5`);
      return { status: answer.status, body: (await answer.json()) as { p?: number; release: string } };
    };
    expect(await ask('staging', 1)).toMatchObject({ status: 200, body: { release: 'rel-1' } });
    expect(await ask('production', -2.5)).toMatchObject({ status: 200, body: { release: 'rel-1' } });
    // A deploy swaps the link: the next request reads the new release, and its series are its own.
    point('staging', 'rel-2');
    expect(await ask('staging', 1)).toMatchObject({ status: 200, body: { release: 'rel-2' } });
    expect(await ask('staging', -2.5)).toMatchObject({ status: 500, body: { release: 'rel-2' } });
    expect(await ask('staging', -2.9)).toMatchObject({ status: 500, body: { release: 'rel-2' } });
    unlinkSync(join(work, 'envs', 'staging', 'current'));
    expect((await fetch(`${base}/predict/staging?x1=1&x2=0`)).status).toBe(503);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}+]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('model_requests_total{env="staging",release="rel-1"}')).toBe(1);
    expect(value('model_errors_total{env="staging",release="rel-1"}')).toBe(0);
    expect(value('model_requests_total{env="staging",release="rel-2"}')).toBe(3);
    expect(value('model_errors_total{env="staging",release="rel-2"}')).toBe(2);
    expect(value('model_requests_total{env="production",release="rel-1"}')).toBe(1);
    expect(value('model_request_seconds_count{env="staging",release="rel-2"}')).toBe(3);
    expect(value('model_request_seconds_bucket{env="staging",release="rel-2",le="+Inf"}')).toBe(3);
    expect(value('model_request_seconds_sum{env="staging",release="rel-2"}')).toBeGreaterThan(0);
    expect(metrics).toContain('# TYPE model_request_seconds histogram');
    if (HAS_PROMTOOL) {
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
      expect(lint.status, `${lint.stdout}${lint.stderr}`).toBe(0);
    }
  });
});
