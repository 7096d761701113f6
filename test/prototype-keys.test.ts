// A name from the wire is looked up as an own key only: `__proto__`, `constructor`, `valueOf`,
// `toString` and `hasOwnProperty` are unknown names like any other, for every request that takes one.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, openClient, scratchRepos, startDaemon } from './support/axum.js';

const newRepo = scratchRepos(afterEach);
const NAMES = ['__proto__', 'constructor', 'valueOf', 'toString', 'hasOwnProperty'];

describe('prototype keys from the wire', () => {
  it('every name-taking request answers an error for them, and nothing is created', async () => {
    const dir = newRepo();
    await startDaemon(dir);
    const client = await openClient(dir);
    let n = 0;
    const answers: Record<string, unknown>[] = [];
    for (const name of NAMES) {
      const requests: [string, Record<string, unknown>][] = [
        ['history.get', { env: name }],
        ['env.deploy', { env: name, releaseId: 'rel-1' }],
        ['env.rollback', { env: name }],
        ['env.approve', { env: name }],
        ['env.pin', { env: name, pinned: true }],
        ['run.get', { runId: name }],
        ['run.cancel', { runId: name }],
        ['run.trigger', { branch: name }],
        ['logs.read', { runId: name, step: name }],
        ['logs.read', { runId: `${name}#1`, step: name }],
        ['logs.follow', { runId: name, step: name }],
        ['releases.diff', { from: name, to: name }],
      ];
      for (const [method, params] of requests) {
        const id = `q${++n}`;
        client.ws.send(JSON.stringify({ type: 'request', id, method, params }));
        const answer = await client.next((m) => m.id === id);
        answers.push({ method, name, type: answer.type, code: answer.code });
      }
    }
    client.ws.close();
    // Every one refused as unknown (or invalid), none answered as if the name existed.
    expect(answers.filter((a) => a.type !== 'error')).toEqual([]);
    expect(answers.filter((a) => a.code !== 'not-found' && a.code !== 'invalid-params')).toEqual([]);
    // No environment history was created for them.
    const envs = join(dir, '.axum', 'history', 'envs');
    const files = existsSync(envs) ? readdirSync(envs) : [];
    expect(files.filter((f) => NAMES.some((name) => f.startsWith(name)))).toEqual([]);
    const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { name: string }[] };
    expect(status.environments.map((e) => e.name).sort()).toEqual(['dev', 'production', 'staging']);
  });
});
