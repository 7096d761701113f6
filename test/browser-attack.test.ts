// Issue #9, "a real browser" and "token and files": a page from another origin must never get a
// WebSocket to a daemon started with --listen; a foreign Host learns nothing; every route without
// the right token gets 401 on both transports; the token never shows up in a URL, a log, a state
// file or a response; the daemon refuses to start when its token file or socket folder is too wide.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { AXUM_VERSION } from '@axum/protocol';
import { LONG_MODE, axum, cleanupRepo, daemonProcessesFor, makeRepo, openClient, readDaemonJson, scratchRepos, token, type AxumResult } from './support/axum.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.log(`SKIP browser attack: ${CHROMIUM} is absent (pnpm run system-deps installs it)`);

const figure = (name: string, value: string | number): void => console.log(`FIGURE ${name}: ${value}`);

// One environment fed by main and a step that prints its whole environment into a log:
// the token must not be handed to steps either.
const CONFIG = `version: 1
environments:
  dev: { branch: main }
stages:
  - name: test
    steps:
      - { name: env, run: "env | sort" }
`;

interface RawResponse {
  raw: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One raw HTTP exchange (TCP port or Unix socket path): exactly the bytes the daemon sends back. */
function rawExchange(target: { port: number } | { path: string }, text: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket: Socket = 'port' in target ? connect(target.port, '127.0.0.1') : connect(target.path);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const raw = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body = rest.join('\r\n\r\n');
      if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
      resolve({ raw, status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body });
    };
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(text.split('\r\n')[0])}`));
    });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // An accepted upgrade (101) keeps the socket open: its head is the whole answer.
      const text = Buffer.concat(chunks).toString('latin1');
      if (/^HTTP\/1\.1 101 /.test(text) && text.includes('\r\n\r\n')) {
        finish();
        socket.destroy();
      }
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', reject);
    socket.write(text);
  });
}

/** The payload of a chunked body. */
function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (eol < 0 || !(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** A request in wire form; `upgrade` adds the WebSocket handshake headers. */
function requestText(options: { method?: string; path?: string; host?: string | null; upgrade?: boolean; headers?: Record<string, string>; http10?: boolean }): string {
  const lines = [`${options.method ?? 'GET'} ${options.path ?? '/'} HTTP/1.${options.http10 ? 0 : 1}`];
  if (options.host !== null) lines.push(`Host: ${options.host ?? 'localhost'}`);
  if (options.upgrade) lines.push('Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`);
  else lines.push('Connection: close');
  for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Runs `work` over `items` with at most `limit` at a time (2 cores: no storm of sockets). */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

/** Lines of the daemon's log (stderr, `.axum/daemon.log`). */
function daemonLog(dir: string): string[] {
  return readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8').split('\n').filter((line) => line !== '');
}

/** Every regular file under `root` (symlinks not followed). */
function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

function countOccurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

// Runs in the page (a string, so nothing of the test's own transpiled helpers leaks in): opens
// each WebSocket in turn and records what the page's code learns: open / error / close code.
const PAGE_ATTEMPTS = `async (targets) => {
  const one = (t) => new Promise((resolve) => {
    const events = [];
    let ws;
    try {
      ws = t.protocols ? new WebSocket(t.url, t.protocols) : new WebSocket(t.url);
    } catch (err) {
      resolve({ url: t.url, opened: false, events: ['throws ' + err.name] });
      return;
    }
    const timer = setTimeout(() => { events.push('timeout'); try { ws.close(); } catch {} resolve({ url: t.url, opened: events.includes('open'), events }); }, 5000);
    ws.onopen = () => { events.push('open'); ws.close(); };
    ws.onerror = () => events.push('error');
    ws.onmessage = (m) => events.push('message ' + String(m.data).slice(0, 200));
    ws.onclose = (e) => { events.push('close ' + e.code); clearTimeout(timer); resolve({ url: t.url, opened: events.includes('open'), events }); };
  });
  const results = [];
  for (const t of targets) results.push(await one(t));
  return results;
}`;

interface AttemptResult {
  url: string;
  opened: boolean;
  events: string[];
}

function attemptsIn(frame: Frame, targets: { url: string; protocols?: string[] }[]): Promise<AttemptResult[]> {
  return frame.evaluate(`(${PAGE_ATTEMPTS})(${JSON.stringify(targets)})`) as Promise<AttemptResult[]>;
}

function listenHttp(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

const closeServer = (server: { close(cb: () => void): void }): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

// One daemon with --listen for the browser, raw-request and 401 tests; the token grep comes last
// and covers everything those tests sent (the token itself in URLs and subprotocols included).
let dir: string;
let port: number;
let realToken: string;
const cliOutputs: AxumResult[] = [];
const capturedFrames: string[] = [];

beforeAll(async () => {
  dir = makeRepo({ config: CONFIG });
  const start = await axum(['daemon', 'start', '--listen', '127.0.0.1:0', '--json', '--repo', dir]);
  expect(start.code, start.stderr).toBe(0);
  cliOutputs.push(start);
  port = Number((JSON.parse(start.stdout) as { listen: string }).listen.split(':').pop());
  realToken = token(dir);
  expect(realToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
});
afterAll(async () => {
  if (dir) await cleanupRepo(dir);
});

describe.skipIf(!HAVE_CHROMIUM)('a real browser (headless Chromium) against a daemon started with --listen', () => {
  let browser: Browser;
  let page: Page;
  const pageServers: Server[] = [];
  let otherIpPort: number; // page server on 127.0.0.2
  let otherPort: number; // page server on 127.0.0.1, another port than the daemon's
  let control: WebSocketServer;
  let controlPort: number;
  const controlSeen: { origin: string | undefined; host: string | undefined }[] = [];
  // Names Chromium resolves to 127.0.0.1 (no DNS): a foreign site, and lookalikes of localhost.
  const mappedNames = ['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io'];
  const PAGE_HTML =
    '<!doctype html><title>attack</title>' +
    '<iframe name="sandboxed" sandbox="allow-scripts" srcdoc="<p>sandboxed</p>"></iframe>' +
    '<iframe name="data" src="data:text/html,<p>data</p>"></iframe>';

  beforeAll(async () => {
    for (const host of ['127.0.0.2', '127.0.0.1']) {
      const server = createHttpServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(PAGE_HTML);
      });
      pageServers.push(server);
      const bound = await listenHttp(server, host);
      if (host === '127.0.0.2') otherIpPort = bound;
      else otherPort = bound;
    }
    // The positive control: a WebSocket server that accepts anyone. Every page context must reach
    // it, so a refusal by the daemon is the daemon's doing and not the browser's.
    control = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    control.on('connection', (ws, req) => {
      controlSeen.push({ origin: req.headers.origin, host: req.headers.host });
      ws.close();
    });
    await new Promise<void>((resolve) => control.once('listening', () => resolve()));
    controlPort = (control.address() as { port: number }).port;
    const started = Date.now();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        `--host-resolver-rules=${mappedNames.map((name) => `MAP ${name} 127.0.0.1`).join(', ')}`,
        // The worst browser: without Local/Private Network Access checks (older Chromium, other
        // browsers), any public page may try loopback. The daemon alone must stop it.
        '--disable-features=LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults',
      ],
    });
    figure('chromium launch ms', Date.now() - started);
    page = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (control) await closeServer(control);
    for (const server of pageServers) {
      server.closeAllConnections();
      await closeServer(server);
    }
  });

  it('never opens a WebSocket to the daemon from any origin, with or without the token', async () => {
    const filePage = join(mkdtempSync(join(tmpdir(), 'axum-page-')), 'attack.html');
    writeFileSync(filePage, '<!doctype html><title>a downloaded page</title>');
    const observer = await openClient(dir);
    capturedFrames.push(...observer.messages.map((m) => JSON.stringify(m)));
    const logBefore = daemonLog(dir).length;
    const P = port;
    const targets = [
      { url: `ws://127.0.0.1:${P}/` },
      { url: `ws://127.0.0.1:${P}/?token=${randomBytes(32).toString('base64url')}` },
      { url: `ws://127.0.0.1:${P}/?token=${realToken}&access_token=${realToken}` },
      { url: `ws://127.0.0.1:${P}/`, protocols: ['bearer', realToken] },
      { url: `ws://127.0.0.1:${P}/`, protocols: [realToken] },
      { url: `ws://axum:${realToken}@127.0.0.1:${P}/` },
      { url: `ws://localhost:${P}/` },
      { url: `ws://127.1:${P}/?token=${realToken}` },
      { url: `ws://[::ffff:127.0.0.1]:${P}/` },
      ...mappedNames.map((name) => ({ url: `ws://${name}:${P}/` })),
    ];

    // Every context a page can run in: other IP, other port, a localhost page on another port,
    // foreign names, lookalikes, and the ways to an opaque Origin (sandboxed and data: iframes,
    // about:blank, a data: URL, a file:// page: Chromium sends `Origin: null` for each).
    type Which = 'main' | 'sandboxed' | 'data';
    const allFrames: Which[] = ['main', 'sandboxed', 'data'];
    const mainOnly: Which[] = ['main'];
    const contexts: { name: string; url: string; frames: Which[] }[] = [
      { name: 'other IP', url: `http://127.0.0.2:${otherIpPort}/`, frames: ['main', 'sandboxed', 'data'] },
      { name: 'other port', url: `http://127.0.0.1:${otherPort}/`, frames: ['main'] },
      { name: 'localhost, other port', url: `http://localhost:${otherPort}/`, frames: ['main'] },
      ...mappedNames.map((name) => ({ name, url: `http://${name}:${otherPort}/`, frames: name === 'evil.example' ? allFrames : mainOnly })),
      { name: 'about:blank', url: 'about:blank', frames: ['main'] },
      { name: 'data: URL', url: 'data:text/html,<title>data</title>', frames: ['main'] },
      { name: 'file: page', url: pathToFileURL(filePage).href, frames: ['main'] },
    ];

    const all: (AttemptResult & { context: string })[] = [];
    const perContext: { label: string; attempts: number; reached: number }[] = [];
    const runContext = async (name: string, frames: Frame[]): Promise<void> => {
      for (const frame of frames) {
        const label = `${name} / ${frame.name() || 'main'}`;
        const [controlResult] = await attemptsIn(frame, [{ url: `ws://127.0.0.1:${controlPort}/` }]);
        expect(controlResult?.opened, `${label}: the control server must open (${JSON.stringify(controlResult)})`).toBe(true);
        const before = daemonLog(dir).length;
        const results = await attemptsIn(frame, targets);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const reached = daemonLog(dir).slice(before).filter((l) => l.includes('refused upgrade (403) on tcp:')).length;
        perContext.push({ label, attempts: results.length, reached });
        for (const result of results) all.push({ ...result, context: label });
      }
    };
    for (const context of contexts) {
      await page.goto(context.url);
      const frames: Frame[] = [];
      for (const which of context.frames) {
        if (which === 'main') {
          frames.push(page.mainFrame());
          continue;
        }
        let frame: Frame | null = null;
        const deadline = Date.now() + 10_000;
        while (!(frame = page.frame({ name: which })) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(frame, `${context.name}: the ${which} iframe did not load`).not.toBeNull();
        await frame!.waitForLoadState('load');
        frames.push(frame!);
      }
      await runContext(context.name, frames);
    }

    // DNS rebinding: the attacker's page is served as http://evil.example:<daemon port>/ (as if
    // from the attacker's server before the name was rebound to 127.0.0.1), so the daemon is
    // same-origin for the page: its WebSocket and its fetch() go to the daemon with Host evil.example.
    const rebindingUrl = `http://evil.example:${P}/attack`;
    await page.route(rebindingUrl, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>rebound</title>' }));
    await page.goto(rebindingUrl);
    await runContext('DNS rebinding', [page.mainFrame()]);
    const sameOrigin = (await page.evaluate(`fetch('/status').then(async (r) => ({ status: r.status, body: await r.text(), headers: [...r.headers.keys()] }))`)) as { status: number; body: string; headers: string[] };
    await page.unroute(rebindingUrl);
    expect(sameOrigin.status).toBe(403);
    expect(sameOrigin.body).toBe('forbidden\n');
    // Cross-origin reads are blocked by the browser as well: the daemon sends no CORS headers.
    await page.goto(`http://127.0.0.2:${otherIpPort}/`);
    const crossOrigin = (await page.evaluate(`fetch('http://127.0.0.1:${P}/').then((r) => 'read ' + r.status, (e) => 'blocked ' + e.name)`)) as string;
    expect(crossOrigin).toBe('blocked TypeError');

    const opened = all.filter((a) => a.opened || a.events.some((e) => e.startsWith('message')));
    expect(opened, JSON.stringify(opened, null, 1)).toEqual([]);
    // Every attempt ended as a failed handshake (error, then close 1006), or threw in the constructor.
    for (const attempt of all) {
      const failed = attempt.events.join(',') === 'error,close 1006' || attempt.events[0]?.startsWith('throws');
      expect(failed, `${attempt.context} → ${attempt.url}: ${attempt.events.join(',')}`).toBe(true);
    }

    // The daemon's side: every attempt that reached it was refused with 403 (Origin/Host checks
    // come before the token), none got as far as the token check, no client attached.
    const added = daemonLog(dir).slice(logBefore);
    const refused403 = added.filter((l) => l.includes('refused upgrade (403) on tcp:')).length;
    const refused401 = added.filter((l) => l.includes('refused upgrade (401)')).length;
    const attached = added.filter((l) => / client c\d+ attached/.test(l));
    const reachable = all.filter((a) => !a.events[0]?.startsWith('throws')).length;
    expect(attached).toEqual([]);
    expect(refused401).toBe(0);
    expect(refused403, JSON.stringify(perContext.filter((c) => c.reached !== c.attempts))).toBe(reachable);
    // The observer (attached before) was never told of another client.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(observer.messages.filter((m) => (m as { type?: string }).type === 'clients.changed')).toEqual([]);
    capturedFrames.push(...observer.messages.map((m) => JSON.stringify(m)));
    observer.ws.close();
    rmSync(join(filePage, '..'), { recursive: true, force: true });

    const origins = [...new Set(controlSeen.map((s) => s.origin ?? '(none)'))];
    expect(origins).toEqual(expect.arrayContaining(['null', `http://127.0.0.2:${otherIpPort}`, `http://127.0.0.1:${otherPort}`, `http://localhost:${otherPort}`, `http://evil.example:${otherPort}`, `http://evil.example:${P}`]));
    const expectedFrames = contexts.reduce((n, c) => n + c.frames.length, 0) + 1;
    expect(controlSeen.length).toBe(expectedFrames);
    expect(all.length).toBe(expectedFrames * targets.length);
    figure('browser page contexts', controlSeen.length);
    figure('browser origins tried', `${origins.length} (${origins.join(' ')})`);
    figure('browser WebSocket attempts', all.length);
    figure('browser WebSocket attempts opened', opened.length);
    figure('browser attempts refused 403 by the daemon (daemon log)', refused403);
    const thrown = all.filter((a) => a.events[0]?.startsWith('throws'));
    figure('browser attempts the browser itself refused to make', `${thrown.length} (${[...new Set(thrown.map((a) => `${a.url.replace(realToken, '<token>')} ${a.events[0]}`))].join('; ')})`);

    figure('browser attempts reaching the token check', refused401);
  }, 120_000);

  it('a page that hammers the daemon gets nothing but refusals (rate and log growth measured)', async () => {
    await page.goto(`http://127.0.0.2:${otherIpPort}/`);
    const logFile = join(dir, '.axum', 'daemon.log');
    const bytesBefore = statSync(logFile).size;
    const linesBefore = daemonLog(dir).length;
    const seconds = 3;
    // 20 loops, each opening the next WebSocket as soon as the previous one failed.
    const outcome = (await page.evaluate(`new Promise((resolve) => {
      let failed = 0, opened = 0;
      const end = Date.now() + ${seconds * 1000};
      const go = () => {
        if (Date.now() > end) return;
        const ws = new WebSocket('ws://127.0.0.1:${port}/?token=${realToken}', ['bearer', '${realToken}']);
        ws.onopen = () => { opened++; ws.close(); };
        ws.onclose = () => { failed++; go(); };
      };
      for (let i = 0; i < 20; i++) go();
      setTimeout(() => resolve({ failed, opened }), ${seconds * 1000 + 500});
    })`)) as { failed: number; opened: number };
    await new Promise((resolve) => setTimeout(resolve, 200));
    const added = daemonLog(dir).slice(linesBefore);
    expect(outcome.opened).toBe(0);
    expect(added.filter((l) => / client c\d+ attached/.test(l))).toEqual([]);
    expect(added.every((l) => !l.includes(realToken))).toBe(true);
    const logBytes = statSync(logFile).size - bytesBefore;
    figure('browser flood: refused attempts per second from one page', (outcome.failed / seconds).toFixed(1));
    figure('browser flood: daemon log growth, bytes per second', Math.round(logBytes / seconds));
  }, 60_000);
});

describe('raw requests over TCP with a foreign Host or any Origin', () => {
  it('get 403 before any upgrade, and the answer reveals nothing', async () => {
    const P = port;
    const info = readDaemonJson(dir);
    const auth = { Authorization: `Bearer ${realToken}` };
    const foreignHosts: (string | null)[] = [
      'evil.example',
      `evil.example:${P}`,
      `EVIL.example:${P}`,
      `localhost.evil.example:${P}`,
      `127.0.0.1.nip.io:${P}`,
      `localhost.:${P}`,
      `localhost.localdomain:${P}`,
      `evil.localhost:${P}`,
      `127.0.0.2:${P}`,
      `127.1:${P}`,
      `2130706433:${P}`,
      `0x7f000001:${P}`,
      `[::ffff:127.0.0.1]:${P}`,
      `0.0.0.0:${P}`,
      `127.0.0.1:${P + 1}`,
      `127.0.0.1:0${P}`,
      `127.0.0.1:${P}@evil.example`,
      `127.0.0.1`,
      'localhost',
      '',
      null,
    ];
    const origins = ['null', '', 'http://evil.example', `http://evil.example:${P}`, `http://127.0.0.1:${P}`, `http://localhost:${P}`, 'http://127.0.0.2:8080', 'file://', 'chrome-extension://abcdefghijklmnop'];
    const cases: { label: string; text: string }[] = [];
    for (const host of foreignHosts) {
      for (const withToken of [false, true]) {
        const headers = withToken ? auth : {};
        cases.push({ label: `upgrade Host ${String(host)} token=${withToken}`, text: requestText({ host, upgrade: true, headers }) });
        cases.push({ label: `GET Host ${String(host)} token=${withToken}`, text: requestText({ host, headers }) });
      }
      cases.push({ label: `HTTP/1.0 Host ${String(host)}`, text: requestText({ host, http10: true, headers: auth }) });
    }
    for (const origin of origins) {
      for (const host of [`127.0.0.1:${P}`, `localhost:${P}`]) {
        cases.push({ label: `upgrade Origin ${origin} Host ${host}`, text: requestText({ host, upgrade: true, headers: { ...auth, Origin: origin } }) });
        cases.push({ label: `GET Origin ${origin} Host ${host}`, text: requestText({ host, headers: { ...auth, Origin: origin } }) });
        cases.push({
          label: `CORS preflight Origin ${origin} Host ${host}`,
          text: requestText({ method: 'OPTIONS', host, headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' } }),
        });
        cases.push({ label: `POST Origin ${origin} Host ${host}`, text: requestText({ method: 'POST', host, headers: { ...auth, Origin: origin, 'Content-Length': '0' } }) });
      }
    }

    const answers = await pool(cases, 4, async (c) => ({ ...c, response: await rawExchange({ port: P }, c.text) }));
    const secrets = [realToken, info.socket, info.tokenFile, dir, AXUM_VERSION];
    const allowedHeaders = new Set(['connection', 'content-type', 'content-length', 'date', 'transfer-encoding', 'keep-alive']);
    for (const { label, response } of answers) {
      // HTTP/1.1 without any Host never reaches the daemon: Node's parser answers 400, empty.
      if (label.startsWith('GET Host null')) {
        expect(response.status, `${label}: ${response.raw}`).toBe(400);
        expect(response.body, label).toBe('');
      } else {
        expect(response.status, `${label}: ${response.raw}`).toBe(403);
        expect(response.body, label).toBe('forbidden\n');
      }
      for (const name of Object.keys(response.headers)) expect(allowedHeaders.has(name), `${label}: header ${name}`).toBe(true);
      for (const secret of secrets) expect(response.raw.includes(secret), `${label} reveals ${secret}`).toBe(false);
      expect(response.raw.toLowerCase(), label).not.toContain('axum');
      expect(response.raw, label).not.toMatch(/^HTTP\/1\.1 101/m);
    }
    // What the same request gets from an allowed Host with the token, for comparison: the 403s say less.
    const allowed = await rawExchange({ port: P }, requestText({ host: `127.0.0.1:${P}`, headers: auth }));
    expect(allowed.status).toBe(426);
    expect(allowed.body.toLowerCase()).toContain('axum');
    const forbidden = answers.filter((a) => a.response.status === 403).length;
    figure('raw foreign-Host/Origin requests refused', `${answers.length}/${answers.length} (${forbidden} with 403 by the daemon, ${answers.length - forbidden} without any Host with 400 by Node's parser)`);
    figure('raw 403 answer body', JSON.stringify(answers[0]?.response.body));
  }, 120_000);
});

describe('401 on every route without the right token', () => {
  it('over the Unix socket and over --listen TCP, for any path, method and wrong credential', async () => {
    const P = port;
    const { socket } = readDaemonJson(dir);
    const paths = ['/', '/ws', '/socket', '/api/v1/status', '/daemon.json', '/.axum/daemon.json', '/token', '/%2e%2e/%2e%2e/etc/passwd', `/?token=${realToken}`, `/?access_token=${realToken}&token=${realToken}`, `/${randomBytes(6).toString('hex')}`, `/${randomBytes(6).toString('hex')}/${randomBytes(3).toString('hex')}`];
    const credentials: { label: string; headers: Record<string, string> }[] = [
      { label: 'none', headers: {} },
      { label: 'wrong', headers: { Authorization: `Bearer ${randomBytes(32).toString('base64url')}` } },
      { label: 'empty bearer', headers: { Authorization: 'Bearer ' } },
      { label: 'prefix', headers: { Authorization: `Bearer ${realToken.slice(0, 20)}` } },
      { label: 'all but last char', headers: { Authorization: `Bearer ${realToken.slice(0, -1)}` } },
      { label: 'one char more', headers: { Authorization: `Bearer ${realToken}x` } },
      { label: 'no scheme', headers: { Authorization: realToken } },
      { label: 'Basic', headers: { Authorization: `Basic ${Buffer.from(`axum:${realToken}`).toString('base64')}` } },
      { label: 'cookie', headers: { Cookie: `token=${realToken}` } },
      { label: 'subprotocol', headers: { 'Sec-WebSocket-Protocol': `bearer, ${realToken}` } },
      { label: 'other header', headers: { 'X-Axum-Token': realToken } },
    ];
    const cases: { label: string; target: { port: number } | { path: string }; text: string }[] = [];
    for (const [transport, target, host] of [
      ['unix', { path: socket }, 'localhost'],
      ['tcp', { port: P }, `127.0.0.1:${P}`],
    ] as const) {
      for (const path of paths) {
        for (const credential of credentials) {
          for (const kind of ['upgrade', 'GET', 'POST'] as const) {
            const text = requestText({ method: kind === 'POST' ? 'POST' : 'GET', path, host, upgrade: kind === 'upgrade', headers: { ...credential.headers, ...(kind === 'POST' ? { 'Content-Length': '0' } : {}) } });
            cases.push({ label: `${transport} ${kind} ${path} (${credential.label})`, target, text });
          }
        }
      }
    }
    const answers = await pool(cases, 4, async (c) => ({ ...c, response: await rawExchange(c.target, c.text) }));
    for (const { label, response } of answers) {
      expect(response.status, `${label}: ${response.raw.slice(0, 200)}`).toBe(401);
      expect(response.raw.includes(realToken), `${label} echoes the token`).toBe(false);
    }
    // Control: the right token on the same transports and a random path is accepted.
    for (const [target, host] of [
      [{ path: socket }, 'localhost'],
      [{ port: P }, `127.0.0.1:${P}`],
    ] as const) {
      const ok = await rawExchange(target, requestText({ path: paths[10], host, upgrade: true, headers: { Authorization: `Bearer ${realToken}` } }));
      expect(ok.status).toBe(101);
    }
    figure('401 matrix (paths x credentials x methods x transports)', `${answers.filter((a) => a.response.status === 401).length}/${answers.length} answered 401`);
  }, 120_000);
});

describe('the token never appears in a URL, a log, a state file or a response', () => {
  it('after a session of commands, a run and a deploy, it is only in its token file', async () => {
    const repo = ['--repo', dir];
    const run = async (...args: string[]): Promise<AxumResult> => {
      const result = await axum([...args, ...repo]);
      cliOutputs.push(result);
      return result;
    };

    // The command's own upgrade request, seen through a recording proxy in the socket's place
    // (clients find the socket only in the runtime folder: the real one is moved aside meanwhile).
    const info = readDaemonJson(dir);
    const realSocket = `${info.socket}.real`;
    const requests: string[] = [];
    const proxy = createNetServer((client) => {
      const upstream = connect(realSocket);
      let first = true;
      client.on('data', (d: Buffer) => {
        if (first) requests.push(d.toString('latin1'));
        first = false;
        upstream.write(d);
      });
      upstream.on('data', (d: Buffer) => client.write(d));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    renameSync(info.socket, realSocket);
    try {
      await new Promise<void>((resolve) => proxy.listen(info.socket, () => resolve()));
      chmodSync(info.socket, 0o600);
      expect((await run('status', '--json')).code).toBe(0);
    } finally {
      await closeServer(proxy);
      rmSync(info.socket, { force: true });
      renameSync(realSocket, info.socket);
    }
    const upgrade = requests.find((r) => r.startsWith('GET '));
    expect(upgrade, 'the command sent no upgrade request').toBeDefined();
    const requestLine = upgrade!.split('\r\n')[0]!;
    expect(requestLine).not.toContain(realToken);
    expect(upgrade).toMatch(new RegExp(`\\r\\nAuthorization: Bearer ${realToken}\\r\\n`, 'i'));

    // A session: status, a run with a deploy, its logs, history, the daemon's own status.
    const client = await openClient(dir);
    expect((await run('daemon', 'status', '--json')).code).toBe(0);
    expect((await run('status', '--json')).code).toBe(0);
    const triggered = await run('run', '--wait', '--json');
    expect(triggered.code, triggered.stderr).toBe(0);
    const runId = (JSON.parse(triggered.stdout) as { id: string }).id;
    expect((await run('logs', runId, '--step', 'env')).code).toBe(0);
    expect((await run('runs', '--json')).code).toBe(0);
    expect((await run('history', 'dev', '--json')).code).toBe(0);
    expect((await run('status')).code).toBe(0);
    client.ws.send(JSON.stringify({ type: 'request', id: 'p1', method: 'ping', params: {} }));
    await client.next((m) => m.type === 'result');
    capturedFrames.push(...client.messages.map((m) => JSON.stringify(m)));
    client.ws.close();
    // The step's environment is in its log: the token must not be there (Axum never passes it on).
    const logs = cliOutputs.at(-4)!.stdout;
    expect(logs).toContain('PATH=');

    // Everything the daemon wrote, everything it answered, what its process carries.
    const runtimeDir = join(info.socket, '..');
    const files = [...filesUnder(join(dir, '.axum')), ...filesUnder(runtimeDir).filter((f) => f !== info.tokenFile)];
    let bytesScanned = 0;
    const hits: string[] = [];
    const scan = (what: string, text: string): void => {
      bytesScanned += text.length;
      const n = countOccurrences(text, realToken);
      if (n > 0) hits.push(`${what}: ${n}`);
    };
    for (const file of files) scan(file, readFileSync(file).toString('latin1'));
    cliOutputs.forEach((r, i) => scan(`axum output #${i}`, r.stdout + r.stderr));
    capturedFrames.forEach((f, i) => scan(`frame #${i}`, f));
    scan('daemon cmdline', readFileSync(`/proc/${info.pid}/cmdline`).toString('latin1'));
    scan('daemon environ', readFileSync(`/proc/${info.pid}/environ`).toString('latin1'));
    expect(hits).toEqual([]);
    expect(readFileSync(info.tokenFile, 'utf8')).toBe(`${realToken}\n`);
    // The browser test sent the real token in URLs and subprotocols: the daemon logged none of it.
    expect(daemonLog(dir).some((l) => l.includes('refused upgrade'))).toBe(true);
    figure('token hits outside its token file', hits.length);
    figure('token scan', `${files.length} files, ${cliOutputs.length} command outputs, ${capturedFrames.length} frames, ${bytesScanned} bytes`);
  }, 120_000);
});

describe('refusing to start over a token file wider than 0600 or a socket folder wider than 0700', () => {
  const repo = scratchRepos(afterEach);
  let runtime: string | null = null;
  afterAll(() => {
    if (runtime) rmSync(runtime, { recursive: true, force: true });
  });
  // Each refused start is a real `axum daemon start` (a few seconds on a loaded 2-core machine):
  // the default suite tries a few telling modes, `pnpm test:long` every one.
  const folderModes = LONG_MODE ? [0o755, 0o750, 0o711, 0o710, 0o701, 0o770, 0o777] : [0o755, 0o701];
  const tokenModes = LONG_MODE ? [0o644, 0o640, 0o604, 0o660, 0o620, 0o602, 0o666] : [0o644, 0o604];

  it('refuses with exit 3, says which file, its mode and the fix, repairs nothing, and starts once fixed', async () => {
    const scratch = repo();
    runtime = mkdtempSync(join(tmpdir(), 'axum-rt-'));
    const env = { AXUM_RUNTIME_DIR: runtime };
    const start = await axum(['daemon', 'start', '--json', '--repo', scratch], { env });
    expect(start.code, start.stderr).toBe(0);
    const { socket, tokenFile } = readDaemonJson(scratch);
    const socketDir = join(socket, '..');
    expect((await axum(['daemon', 'stop', '--repo', scratch], { env })).code).toBe(0);
    // A clean stop removed the folder; the cases below are a folder left (or planted) there, widened.
    mkdirSync(socketDir, { recursive: true, mode: 0o700 });
    const octal = (mode: number): string => `0${mode.toString(8)}`;

    for (const mode of folderModes) {
      chmodSync(socketDir, mode);
      const result = await axum(['daemon', 'start', '--repo', scratch], { env });
      expect(result.code, `${octal(mode)}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toContain(`socket folder ${socketDir} has mode ${octal(mode)}, wider than 0700`);
      expect(result.stderr).toContain(`chmod 700 ${socketDir}`);
      expect(statSync(socketDir).mode & 0o777, 'the folder was repaired, not refused').toBe(mode);
      expect(daemonProcessesFor(scratch)).toEqual([]);
    }
    chmodSync(socketDir, 0o700);

    // A token file left behind (as by a daemon killed with -9), then widened.
    writeFileSync(tokenFile, 'stale-token\n');
    for (const mode of tokenModes) {
      chmodSync(tokenFile, mode);
      const result = await axum(['daemon', 'start', '--repo', scratch], { env });
      expect(result.code, `${octal(mode)}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toContain(`token file ${tokenFile} has mode ${octal(mode)}, wider than 0600`);
      expect(result.stderr).toContain(`chmod 600 ${tokenFile}`);
      // Refused, not repaired nor removed: the file is there as it was.
      expect(lstatSync(tokenFile).mode & 0o777, 'the token file was repaired, not refused').toBe(mode);
      expect(readFileSync(tokenFile, 'utf8')).toBe('stale-token\n');
      expect(daemonProcessesFor(scratch)).toEqual([]);
    }

    // Narrower than 0600 is fine: the daemon starts with a fresh 0600 token.
    chmodSync(tokenFile, 0o400);
    const fixed = await axum(['daemon', 'start', '--repo', scratch], { env });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(tokenFile, 'utf8')).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    figure('socket folder modes refused', `${folderModes.length}/${folderModes.length} (${folderModes.map(octal).join(' ')})`);
    figure('token file modes refused', `${tokenModes.length}/${tokenModes.length} (${tokenModes.map(octal).join(' ')})`);
  }, 180_000);
});
