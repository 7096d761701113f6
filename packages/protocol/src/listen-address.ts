/** A parsed `--listen` value: loopback only, since anything else would expose the daemon to the network. */
export type ListenAddress = { ok: true; host: string; port: number } | { ok: false; error: string };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Parses `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT`; any other host is refused. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return { ok: false, error: `--listen ${text}: expected HOST:PORT, e.g. 127.0.0.1:7420` };
  const host = (match[1] ?? match[2] ?? '').toLowerCase();
  const port = Number(match[3]);
  if (!LOOPBACK.has(host)) {
    return { ok: false, error: `--listen ${text}: only loopback addresses (127.0.0.1, localhost, [::1]) are allowed` };
  }
  if (port > 65535) return { ok: false, error: `--listen ${text}: port must be 0–65535` };
  return { ok: true, host: host === 'localhost' ? '127.0.0.1' : host, port };
}
