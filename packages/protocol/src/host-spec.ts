// A remote host of an environment (docs/remote-environments.md): `[user@]host[:port]:/path`.
// The parts reach `ssh` and `rsync` as arguments and the path a remote shell as a quoted word, so
// each is held to a plain character set here, at the edge: nothing in it can start an option or
// break out of a quoted word.

/** One host of an environment, parsed. */
export interface HostSpec {
  /** As written in `axum.yml` (how messages and `status` name it). */
  spec: string;
  user: string | null;
  /** A host name, an IPv4 address, an IPv6 address (canonical, without its brackets) or a `Host` alias of the user's ssh config. */
  host: string;
  /** null: the ssh config's port (or 22). */
  port: number | null;
  /** Absolute folder on the host holding `releases/` and `current`. */
  path: string;
}

const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
const HOST = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}$/;
const PATH = /^\/[A-Za-z0-9._/+@=-]*$/;
const FORM = 'write a host as user@host:/absolute/path (or user@host:port:/absolute/path; an IPv6 address in brackets, user@[::1]:/absolute/path)';
const IPV6 = /^[0-9A-Fa-f:.]+$/;

/**
 * An IPv6 address in its one canonical spelling (`0:0::1` and `::1` are one machine), or null.
 * The URL parser is the check: it accepts exactly the addresses, and prints them canonically.
 */
function canonicalIpv6(text: string): string | null {
  if (!IPV6.test(text) || !text.includes(':')) return null;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

/** The host and what follows it (`:port:/path` or `:/path`) split at the host's end: an IPv6 address is bracketed, as scp and rsync write it, for its colons. */
function splitHost(rest: string): { host: string; parts: string[] } | { problem: string } | null {
  if (!rest.startsWith('[')) {
    const parts = rest.split(':');
    // Bare IPv6 (`::1:/srv`): its colons cannot be told from the separators; say how to write it.
    if (parts.length > 3 && canonicalIpv6(parts.slice(0, -1).join(':')) !== null) return { problem: `an IPv6 address goes in brackets (${FORM})` };
    return { host: parts[0]!, parts };
  }
  const end = rest.indexOf(']');
  if (end < 0 || rest[end + 1] !== ':') return null;
  const host = canonicalIpv6(rest.slice(1, end));
  if (host === null) return { problem: `"${rest.slice(1, end)}" in brackets is not an IPv6 address (${FORM})` };
  return { host, parts: ['', ...rest.slice(end + 2).split(':')] };
}

/** The host spec parsed, or why it is not one (in words, with the expected form). */
export function parseHostSpec(spec: string): HostSpec | { problem: string } {
  const at = spec.indexOf('@');
  const user = at >= 0 ? spec.slice(0, at) : null;
  const rest = at >= 0 ? spec.slice(at + 1) : spec;
  const split = splitHost(rest);
  if (split === null) return { problem: `"${spec}": ${FORM}` };
  if ('problem' in split) return { problem: `"${spec}": ${split.problem}` };
  const { host, parts } = split;
  if (parts.length < 2 || parts.length > 3) return { problem: `"${spec}": ${FORM}` };
  const path = parts.at(-1)!;
  if (user !== null && !USER.test(user)) return { problem: `"${spec}": the user "${user}" may hold letters, digits, ".", "_" and "-" only (${FORM})` };
  if (!rest.startsWith('[') && !HOST.test(host)) return { problem: `"${spec}": the host "${host}" may hold letters, digits, ".", "_" and "-" only, not starting with "-" or "." (${FORM})` };
  let port: number | null = null;
  if (parts.length === 3) {
    const text = parts[1]!;
    port = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(port >= 1 && port <= 65535)) return { problem: `"${spec}": the port "${text}" is not a number from 1 to 65535 (${FORM})` };
  }
  if (!path.startsWith('/')) return { problem: `"${spec}": the folder "${path}" is not an absolute path (${FORM})` };
  if (!PATH.test(path)) return { problem: `"${spec}": the folder "${path}" may hold letters, digits and . _ / + @ = - only (no spaces or quotes)` };
  if (path.split('/').some((part) => part === '..' || part === '.')) return { problem: `"${spec}": the folder "${path}" may not hold "." or ".." parts` };
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return { problem: `"${spec}": the folder may not be / itself` };
  return { spec, user, host, port, path: trimmed };
}

/** Why `spec` is not a host this version can deploy to, or null. */
export function hostSpecProblem(spec: string): string | null {
  const parsed = parseHostSpec(spec);
  return 'problem' in parsed ? parsed.problem : null;
}
