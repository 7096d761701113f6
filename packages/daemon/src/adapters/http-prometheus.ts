import type { PrometheusAnswer } from '../domain/prometheus-checks.js';
import type { PrometheusPort } from '../engine/ports.js';

const join = (url: string, path: string) => `${url.replace(/\/+$/, '')}${path}`;

/** The port a URL connects to, its scheme's default when it names none. */
function portOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  } catch {
    return '?';
  }
}

/** Why a fetch gave no answer, in words: `connection refused`, `timed out after 2000 ms`. */
function why(err: unknown, timeoutMs: number, url: string): string {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  // fetch (undici) refuses, without connecting, the ports the Fetch standard lists as unsafe (those
  // of other protocols: 6000 for X11, 6667 for IRC…); its own words are only "bad port".
  if (error.cause?.message === 'bad port') return `fetch refuses port ${portOf(url)}: it is one of the ports fetch considers unsafe (kept for other protocols), whatever listens there; serve Prometheus on another port, such as its own 9090`;
  const code = error.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${code})`;
  return error.cause?.message ?? error.message;
}

/** Prometheus over HTTP with node's fetch: every answer, whatever its status, is given back for the domain to judge. */
export function createHttpPrometheus(): PrometheusPort {
  return {
    async query(url, promql, timeoutMs, signal) {
      try {
        const timeout = AbortSignal.timeout(timeoutMs);
        const response = await fetch(`${join(url, '/api/v1/query')}?query=${encodeURIComponent(promql)}`, { signal: signal ? AbortSignal.any([timeout, signal]) : timeout });
        const text = await response.text();
        let body: unknown = null;
        try {
          body = JSON.parse(text);
        } catch {
          body = null;
        }
        return { kind: 'http', status: response.status, body } satisfies PrometheusAnswer;
      } catch (err) {
        return { kind: 'unreachable', reason: why(err, timeoutMs, url) };
      }
    },
    async config(url, timeoutMs) {
      try {
        const response = await fetch(join(url, '/api/v1/status/config'), { signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) return null;
        const body = (await response.json()) as { data?: { yaml?: unknown } };
        return typeof body.data?.yaml === 'string' ? body.data.yaml : null;
      } catch {
        return null;
      }
    },
  };
}
