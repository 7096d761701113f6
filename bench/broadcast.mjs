// Scenario: 30 clients attached; one change (pin/unpin) reaches every client. Goal: p95 < 100 ms.
// The clients are the real protocol client of the `axum` command.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, axum, msSince, nowNs, scratchRepo, sleep, stats } from './lib.mjs';

const { connectToDaemon } = await import(join(ROOT, 'packages', 'tui', 'dist', 'client', 'daemon-connection.js'));

export async function broadcast({ clients, reps }) {
  const repo = scratchRepo({ 'axum.yml': 'version: 1\nenvironments:\n  staging: { branch: main }\nstages:\n  - name: t\n    steps: [{ name: u, run: "true" }]\n' });
  const samples = [];
  const attach = [];
  try {
    axum(['daemon', 'start'], repo.dir);
    const info = JSON.parse(readFileSync(join(repo.dir, '.axum', 'daemon.json'), 'utf8'));
    const connections = [];
    for (let i = 0; i < clients; i++) {
      const t0 = nowNs();
      connections.push(await connectToDaemon(info, `bench-${i}`));
      attach.push(msSince(t0));
    }
    const [driver] = connections;
    for (let r = 0; r < reps; r++) {
      const pinned = r % 2 === 0;
      const arrivals = connections.map(
        (c) =>
          new Promise((resolve) => {
            const off = c.onMessage((m) => {
              if (m.type === 'environment.updated' && m.environment.pinned === pinned) {
                off();
                resolve(msSince(t0));
              }
            });
          }),
      );
      const t0 = nowNs();
      await driver.request('env.pin', { env: 'staging', pinned, by: 'bench' });
      samples.push(...(await Promise.all(arrivals)));
      await sleep(20);
    }
    for (const c of connections) c.close();
  } finally {
    try {
      axum(['daemon', 'stop', '--yes'], repo.dir);
    } catch {
      // stopped
    }
    repo.cleanup();
  }
  const delivery = stats(samples);
  return {
    name: `${clients} clients attached: a change reaches every client`,
    unit: 'ms',
    rows: [
      { label: `delivery to each of ${clients} clients (all reps)`, ...delivery },
      { label: 'attach: connect + hello + snapshot, one at a time', ...stats(attach) },
    ],
    goal: 'p95 < 100 ms',
    met: delivery.p95 < 100,
  };
}
