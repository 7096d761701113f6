// Issue #9, "Secrets", end to end: a real pipeline whose steps read registered secrets from their
// environment and print them raw, per line, in base64 at all three alignments, hex and
// URL-encoded, slowly so that they straddle chunk boundaries. No form of a secret may reach the
// log files, the lowdb documents (anything under .axum/), the stream, `axum logs`, the JSON of
// `runs`/`history`/`status`, nor the command line of any process while the steps run.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, openClient, runs, scratchRepos, waitFor, type RunJson } from './support/axum.js';

const newRepo = scratchRepos(afterEach);

/** A token-like secret and a password with everything URL encoding changes. */
const TOKEN = `hf_${randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, 'x')}`;
const PASSWORD = `p@ss w/rd+ü&=%${randomBytes(6).toString('hex')}?`;
/** A multi-line secret: masked whole and line by line. */
const KEY = ['-----BEGIN TEST KEY-----', randomBytes(30).toString('base64'), randomBytes(30).toString('base64'), '-----END TEST KEY-----'].join('\n');
const SECRETS = { AXUM_E2E_TOKEN: TOKEN, AXUM_E2E_PASSWORD: PASSWORD, AXUM_E2E_KEY: KEY };

/** What the step prints for one secret, and what of it must never be seen again. */
function forms(secret: string): { printed: string[]; forbidden: string[] } {
  const bytes = Buffer.from(secret, 'utf8');
  const printed: string[] = [];
  const forbidden = new Set<string>([secret]);
  for (let p = 0; p < 3; p++) {
    // p bytes of other data before the secret: base64 at offset 0, 1 and 2 (mod 3).
    const before = Buffer.from('user:'.slice(0, p));
    const encoded = Buffer.concat([before, bytes, Buffer.from('\n')]).toString('base64');
    printed.push(encoded, encoded.replace(/\+/g, '-').replace(/\//g, '_'));
    // The characters of the encoding made of the secret's bits only.
    const window = encoded.slice(Math.ceil((8 * p) / 6), Math.floor((8 * (p + bytes.length)) / 6));
    forbidden.add(window).add(window.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  const hex = bytes.toString('hex');
  const uri = encodeURIComponent(secret);
  const form = new URLSearchParams({ q: secret }).toString().slice(2);
  printed.push(secret, hex, hex.toUpperCase(), uri, form);
  for (const f of [hex, hex.toUpperCase(), uri, form]) forbidden.add(f);
  // Each line of a multi-line secret, printed on its own.
  if (secret.includes('\n')) {
    for (const line of secret.split('\n')) {
      printed.push(line);
      forbidden.add(line);
    }
  }
  return { printed, forbidden: [...forbidden] };
}

const FORBIDDEN = [...forms(TOKEN).forbidden, ...forms(PASSWORD).forbidden, ...forms(KEY).forbidden].map((f) => Buffer.from(f, 'utf8'));

/** Prints every form of every secret in 3 slow pieces each (separate writes, so separate reads). */
const LEAK_JS = `
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { writeSync, appendFileSync } = require('node:fs');
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const forms = ${forms.toString()};
const out = (text) => writeSync(1, text);
out('BEGIN ' + process.env.AXUM_STEP + '\\n');
for (const name of ['AXUM_E2E_TOKEN', 'AXUM_E2E_PASSWORD', 'AXUM_E2E_KEY']) {
  const secret = process.env[name];
  // Proof that the secret arrived, without printing it.
  out(name + ' sha256 ' + createHash('sha256').update(secret).digest('hex') + '\\n');
  for (const form of forms(secret).printed) {
    const a = Math.floor(form.length / 3);
    const b = Math.floor((2 * form.length) / 3);
    out('value: ' + form.slice(0, a));
    sleep(15);
    out(form.slice(a, b));
    sleep(15);
    out(form.slice(b) + ' and on its own line:\\n' + form + '\\n');
  }
  // One character per write, and through a child that reads it from its environment.
  for (const ch of secret) { out(ch); sleep(2); }
  out('\\n');
  out(execFileSync('sh', ['-c', 'printf "%s" "$' + name + '" | base64 -w0; echo; printf "%s" "$' + name + '" | od -An -tx1 | tr -d " \\\\n"; echo; sleep 0.3'], { encoding: 'utf8' }));
}
// A metric named after the token: the history keeps metric names.
appendFileSync(process.env.AXUM_METRICS, process.env.AXUM_E2E_TOKEN + '=1\\naccuracy=0.9\\n');
console.error('stderr too: ' + process.env.AXUM_E2E_PASSWORD);
out('END\\n');
`;

const CONFIG = `version: 1
environments:
  dev: { branch: main }
secrets: [AXUM_E2E_TOKEN, AXUM_E2E_PASSWORD, AXUM_E2E_KEY]
stages:
  - name: test
    steps:
      - { name: leak, run: "node leak.js" }
      - { name: shell, run: "echo \\"$AXUM_E2E_TOKEN\\"; printf '%s' \\"$AXUM_E2E_PASSWORD\\" | base64; sleep 0.5" }
verify:
  steps:
    - { name: smoke, run: "node leak.js" }
`;

function occurrences(haystack: Buffer): string[] {
  return FORBIDDEN.filter((needle) => haystack.includes(needle)).map((n) => n.toString('utf8'));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

/** Every live process's argv, scanned while the steps run; counts the step processes it saw. */
function watchCommandLines(): { stop: () => { leaks: string[]; stepPids: Set<number>; scans: number } } {
  const leaks: string[] = [];
  const stepPids = new Set<number>();
  const checked = new Set<number>();
  let scans = 0;
  const scan = () => {
    scans++;
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`);
        const found = occurrences(cmdline);
        if (found.length > 0) leaks.push(`pid ${pid}: ${cmdline.toString().replace(/\0/g, ' ')}`);
        if (!checked.has(pid)) {
          checked.add(pid);
          if (readFileSync(`/proc/${pid}/environ`).includes(`AXUM_E2E_TOKEN=${TOKEN}\0`) && readFileSync(`/proc/${pid}/environ`).includes('AXUM_STEP=')) stepPids.add(pid);
        }
      } catch {
        // gone meanwhile
      }
    }
  };
  const timer = setInterval(scan, 40);
  return {
    stop: () => {
      clearInterval(timer);
      scan();
      return { leaks, stepPids, scans };
    },
  };
}

/** Everything `logs.follow` sends for one step, from offset 0 until complete. */
async function followed(dir: string, runId: string, step: string): Promise<Buffer> {
  const client = await openClient(dir);
  client.ws.send(JSON.stringify({ type: 'request', id: 'f', method: 'logs.follow', params: { runId, step, offset: 0 } }));
  let text = '';
  for (;;) {
    const chunk = (await client.next((m) => m.type === 'log.chunk' || m.type === 'error' || (m.id === 'f' && m.type !== 'result')).catch((err: Error) => Promise.reject(new Error(`follow ${step}: ${err.message.slice(0, 300)}`)))) as { data: string; complete: boolean };
    if (chunk.data === undefined) throw new Error(`follow ${step}: ${JSON.stringify(chunk)}`);
    text += chunk.data;
    if (chunk.complete) break;
  }
  client.ws.close();
  return Buffer.from(text, 'utf8');
}

describe('secrets', () => {
  it('no form of a registered secret reaches logs, stream, history, lowdb files or any command line', async () => {
    const dir = newRepo({ config: CONFIG });
    // The commit subject carries a secret too: text from outside is masked before it is stored or shown.
    commitFiles(dir, `the leaking step (token ${TOKEN})`, { 'leak.js': LEAK_JS });
    expect((await axum(['daemon', 'start', '--repo', dir], { env: SECRETS })).code).toBe(0);

    const argv = watchCommandLines();
    const watcher = await openClient(dir);
    watcher.ws.send(JSON.stringify({ type: 'request', id: 't', method: 'run.trigger', params: { branch: 'main' } }));
    const queued = ((await watcher.next((m) => m.id === 't')) as { result: { id: string } }).result;
    const hasStep = (m: unknown) => {
      const run = (m as { type: string; run?: { id: string; steps: { name: string }[] } }).run;
      return (m as { type: string }).type === 'run.updated' && run?.id === queued.id && run.steps.some((step) => step.name === 'leak');
    };
    await waitFor(() => watcher.messages.some(hasStep), 60_000, 'the run to have its steps');
    // Follow while it prints: the stream is checked live, not only after the fact.
    const live = await followed(dir, queued.id, 'leak');
    // The run, then its deploy and verify step (events, not polling: the CLI costs seconds under load).
    await waitFor(
      () =>
        watcher.messages.some((m) => {
          const env = (m as { type: string; environment?: { name: string; live: unknown; operation: unknown } }).environment;
          return (m as { type: string }).type === 'environment.updated' && env?.name === 'dev' && env.live !== null && env.operation === null;
        }),
      90_000,
      'the deploy and its verify step to finish',
    );
    watcher.ws.close();
    const watched = argv.stop();

    // The CLI, all at once (each `axum` costs seconds on a loaded 2-core machine).
    const commands = [['runs', '--json'], ['history', 'dev', '--json'], ['logs', queued.id, '--step', 'leak'], ['history', 'dev']];
    const outputs = await Promise.all(commands.map((args) => axum([...args, '--repo', dir])));
    const run = (JSON.parse(outputs[0]?.stdout ?? '[]') as RunJson[]).find((r) => r.id === queued.id) as RunJson;
    expect(run.status, run.message ?? '').toBe('succeeded');
    expect((run as RunJson & { subject: string }).subject).toBe('the leaking step (token ***)');

    // Positive controls: the steps did run and got the real secrets.
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(live.toString()).toContain(`AXUM_E2E_TOKEN sha256 ${sha(TOKEN)}`);
    expect(live.toString()).toContain(`AXUM_E2E_PASSWORD sha256 ${sha(PASSWORD)}`);
    expect(live.toString()).toContain(`AXUM_E2E_KEY sha256 ${sha(KEY)}`);
    expect(live.toString()).toContain('END\n');
    expect(live.toString()).toContain('value: ***');
    expect(outputs[2]?.stdout).toContain('value: ***');

    const places: Record<string, Buffer> = { 'logs.follow leak (live)': live };
    outputs.forEach((result, i) => {
      expect(result.code, result.stderr).toBe(0);
      places[`axum ${commands[i]?.join(' ')}`] = Buffer.from(result.stdout + result.stderr);
    });
    places['logs.follow shell'] = await followed(dir, queued.id, 'shell');
    expect(places['logs.follow shell']?.toString()).toContain('***');
    const client = await openClient(dir);
    for (const [id, method, params] of [
      ['r1', 'releases.list', {}],
      ['r2', 'history.get', { env: 'dev' }],
      ['r3', 'runs.list', { limit: 100 }],
      ['r4', 'state.get', {}],
      ['r5', 'logs.read', { runId: queued.id, step: 'leak', offset: 0, limit: 512 * 1024 }],
    ] as const) {
      client.ws.send(JSON.stringify({ type: 'request', id, method, params }));
      const reply = await client.next((m) => m.id === id).catch((err: Error) => Promise.reject(new Error(`${method}: ${err.message.slice(0, 300)}`)));
      expect(reply.type, JSON.stringify(reply).slice(0, 300)).toBe('result');
      places[`ws ${method}`] = Buffer.from(JSON.stringify(reply));
    }
    client.ws.close();
    // Everything the daemon wrote: log files, time indexes, lowdb documents, releases, daemon.log.
    const files = filesUnder(join(dir, '.axum'));
    for (const file of files) places[file.slice(dir.length + 1)] = readFileSync(file);
    const logFiles = files.filter((f) => f.endsWith('.log') && f.includes('/logs/'));
    expect(logFiles.length).toBeGreaterThanOrEqual(3); // leak, shell, and the verify step's smoke

    const leaked = Object.entries(places).flatMap(([where, bytes]) => occurrences(bytes).map((form) => `${where}: ${form}`));
    expect(leaked).toEqual([]);
    expect(watched.leaks).toEqual([]);
    expect(watched.stepPids.size).toBeGreaterThanOrEqual(3);

    console.log(`FIGURE secret forms checked: ${FORBIDDEN.length}`);
    console.log(`FIGURE secret places checked: ${Object.keys(places).length} (${files.length} files under .axum)`);
    console.log(`FIGURE secret bytes scanned: ${Object.values(places).reduce((n, b) => n + b.length, 0)}`);
    console.log(`FIGURE step processes whose cmdline was checked: ${watched.stepPids.size} (${watched.scans} scans of /proc)`);
  }, 120_000);

  it('a branch whose axum.yml no longer registers the secret still gets it masked (the daemon\'s config registers it)', async () => {
    const dir = newRepo({ config: CONFIG });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
    git('checkout', '-q', '-b', 'other');
    const withoutSecrets = `version: 1
environments:
  dev: { branch: main }
stages:
  - name: test
    steps:
      - { name: shell, run: "echo \\"$AXUM_E2E_TOKEN\\"; printf '%s' \\"$AXUM_E2E_PASSWORD\\" | base64" }
`;
    commitFiles(dir, 'drop the secrets', { 'axum.yml': withoutSecrets });
    git('checkout', '-q', 'main');
    expect((await axum(['daemon', 'start', '--repo', dir], { env: SECRETS })).code).toBe(0);
    const client = await openClient(dir);
    client.ws.send(JSON.stringify({ type: 'request', id: 't', method: 'run.trigger', params: { branch: 'other' } }));
    const queued = ((await client.next((m) => m.id === 't')) as { result: { id: string } }).result;
    await waitFor(
      () => client.messages.some((m) => (m as { type: string; run?: { id: string; finishedAt: string | null } }).run?.id === queued.id && (m as { run: { finishedAt: string | null } }).run.finishedAt !== null),
      60_000,
      'the run of the other branch to end',
    );
    client.ws.close();
    const ended = (await runs(dir)).find((r) => r.id === queued.id);
    expect(ended?.status, ended?.message ?? '').toBe('succeeded');
    const log = readFileSync(join(dir, '.axum', 'runs', queued.id, 'logs', 'shell.log'));
    expect(log.toString()).toContain('***');
    expect(occurrences(log)).toEqual([]);
  }, 60_000);

  it('an artifact whose file name holds a secret is refused, naming it masked', async () => {
    const dir = newRepo({
      config: `version: 1
environments:
  dev: { branch: main }
stages:
  - name: build
    steps:
      - { name: train, run: 'mkdir -p model && echo w > "model/$AXUM_E2E_TOKEN.bin"' }
artifacts: [model/**]
secrets: [AXUM_E2E_TOKEN]
`,
    });
    expect((await axum(['daemon', 'start', '--repo', dir], { env: SECRETS })).code).toBe(0);
    const queued = JSON.parse((await axum(['run', '--branch', 'main', '--json', '--repo', dir])).stdout) as { id: string };
    let ended: RunJson | undefined;
    await waitFor(async () => {
      ended = (await runs(dir)).find((r) => r.id === queued.id && r.finishedAt !== null);
      return ended !== undefined;
    }, 60_000, 'the run to end');
    expect(ended?.status).toBe('failed');
    expect(ended?.message).toBe('the stages succeeded but the release could not be made: the artifact model/***.bin has a registered secret in its name; rename it');
    const files = filesUnder(join(dir, '.axum'));
    const leaked = files.flatMap((file) => occurrences(Buffer.concat([Buffer.from(file), readFileSync(file)])).map((form) => `${file}: ${form}`));
    expect(leaked).toEqual([]);
  }, 60_000);
});
