// The HTTP adapter against real sockets: what it gives back when Prometheus hangs, fails, is not
// there, or answers; the meaning of each answer is the domain's (prometheus-checks.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpPrometheus } from './http-prometheus.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => (s.closeAllConnections(), s.close(resolve)))));
});
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('Prometheus over HTTP', () => {
  it('asks /api/v1/query with the query encoded, and gives back status and JSON body', async () => {
    let asked = '';
    const url = await serve((req, res) => {
      asked = req.url ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}');
    });
    expect(await createHttpPrometheus().query(`${url}/`, 'sum(x{release="rel-1"})', 2000)).toEqual({ kind: 'http', status: 200, body: { status: 'success', data: { resultType: 'scalar', result: [1, '2'] } } });
    expect(asked).toBe(`/api/v1/query?query=${encodeURIComponent('sum(x{release="rel-1"})')}`);
  });

  it('gives back a 500 whose body is not JSON as status 500 with no body', async () => {
    const url = await serve((_req, res) => res.writeHead(500).end('internal error'));
    expect(await createHttpPrometheus().query(url, 'x', 2000)).toEqual({ kind: 'http', status: 500, body: null });
  });

  it('gives up on a Prometheus that never answers, after the timeout', async () => {
    const url = await serve(() => undefined);
    expect(await createHttpPrometheus().query(url, 'x', 300)).toEqual({ kind: 'unreachable', reason: 'timed out after 300 ms' });
  });

  it('says the connection was refused when nothing listens', async () => {
    const url = await serve((_req, res) => res.end());
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await createHttpPrometheus().query(url, 'x', 2000)).toEqual({ kind: 'unreachable', reason: 'connection refused' });
  });

  it("explains fetch's bare \"bad port\" (a port fetch refuses without connecting) and suggests another port", async () => {
    expect(await createHttpPrometheus().query('http://127.0.0.1:6000', 'x', 2000)).toEqual({
      kind: 'unreachable',
      reason: 'fetch refuses port 6000: it is one of the ports fetch considers unsafe (kept for other protocols), whatever listens there; serve Prometheus on another port, such as its own 9090',
    });
  });

  it("reads Prometheus's own config, or null", async () => {
    const url = await serve((req, res) => {
      if (req.url === '/api/v1/status/config') res.writeHead(200).end(JSON.stringify({ status: 'success', data: { yaml: 'global:\n  scrape_interval: 1s\n' } }));
      else res.writeHead(404).end();
    });
    expect(await createHttpPrometheus().config(url, 2000)).toBe('global:\n  scrape_interval: 1s\n');
    expect(await createHttpPrometheus().config(`${url}/nope`, 2000)).toBeNull();
  });
});
