// Where each environment serves its model: the folder holding its `current` link on this machine
// (`path:`, else `.axum/envs/<name>`) and, for remote environments, each host's folder. Two
// environments serving from one place (or one inside the other) would overwrite each other's
// `current` while each history believes its own release is live, so the pipeline file refuses it.
import { parseHostSpec } from './host-spec.js';

/** An environment's places as written in `axum.yml` (only what this check reads). */
export interface ServingSpec {
  path?: string | undefined;
  hosts?: readonly string[] | undefined;
}

/** A folder's path with `.` parts, doubled and trailing slashes gone (`..` is kept: compared as written). */
function normalize(path: string): string {
  const absolute = path.startsWith('/');
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  return `${absolute ? '/' : ''}${parts.join('/')}` || '.';
}

/** `inner` is `outer` or inside it; a relative and an absolute path are not compared (the repository's place is not known here). */
function within(inner: string, outer: string): boolean {
  if (inner.startsWith('/') !== outer.startsWith('/')) return false;
  return inner === outer || (outer === '.' && !inner.startsWith('..')) || inner.startsWith(outer === '/' ? '/' : `${outer}/`);
}

/** One problem per environment whose place another environment listed before it uses too, by environment name. */
export function sharedPlaceProblems(environments: Readonly<Record<string, ServingSpec>>): { env: string; key: 'path' | 'hosts'; message: string }[] {
  // A place is a machine (null: this one) and a folder there, kept apart: a host may hold colons (IPv6).
  type Place = { machine: string | null; folder: string; where: string; key: 'path' | 'hosts' };
  const seen: (Place & { env: string })[] = [];
  const problems: { env: string; key: 'path' | 'hosts'; message: string }[] = [];
  for (const [env, spec] of Object.entries(environments)) {
    const places: Place[] = [
      { machine: null, folder: normalize(spec.path ?? `.axum/envs/${env}`), where: spec.path === undefined ? `its default folder .axum/envs/${env}` : `path "${spec.path}"`, key: 'path' },
    ];
    for (const text of spec.hosts ?? []) {
      const host = parseHostSpec(text);
      // A host spec that does not parse has its own message; the port is not part of the place (one machine).
      // Nor the user: two accounts on one machine still write the same folder.
      if (!('problem' in host)) places.push({ machine: host.host.toLowerCase(), folder: normalize(host.path), where: `host "${text}"`, key: 'hosts' });
    }
    for (const { machine, folder, where, key } of places) {
      const clash = seen.find((other) => other.env !== env && other.machine === machine && (within(folder, other.folder) || within(other.folder, folder)));
      if (clash) {
        // The message's place names the key already (`environment "b", path:`): the folder alone leads.
        const self = where.replace(/^(path|host) /, '');
        problems.push({ env, key, message: `${self} is where environment "${clash.env}" serves (${clash.where}): each environment needs a folder of its own, or one would overwrite the other's current` });
      }
    }
    for (const place of places) seen.push({ env, ...place });
  }
  return problems;
}
