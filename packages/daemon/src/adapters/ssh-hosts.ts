import { randomBytes } from 'node:crypto';
import type { HostSpec, ReleaseView } from '@axum/protocol';
import type { HostInspection, RemoteHosts } from '../engine/ports.js';
import { RSYNC_EXITS, execute, quote, reasonOf, rsyncPlace, rsyncShell, runOnHost } from './openssh.js';
import type { SshConnections } from './openssh-masters.js';
import { openPreparedSwap, preparedSwapScript, tempLinkName } from './ssh-prepared-swap.js';

/** The checksum file of a release folder on a host: `sha256sum -c` reads it, and its text proves which release the folder holds. */
export const HOST_CHECKSUMS = '.axum-sha256';

/** Options of the OpenSSH adapter. */
export interface SshHostsOptions {
  /** `ssh -F FILE` (AXUM_SSH_CONFIG): else the user's own `~/.ssh/config` applies. */
  configFile?: string | null;
  /** How long one ssh command may take (a copy gets `copyTimeoutMs`). */
  commandTimeoutMs?: number;
  copyTimeoutMs?: number;
  /** The environment of every ssh and rsync (the daemon's, with its step marker: openssh.ts). */
  env?: NodeJS.ProcessEnv;
  /**
   * This daemon's fence number (host-epoch.ts): greater than any earlier daemon's of the
   * repository, asked for when the first command goes to a host (a repository with no hosts never
   * records one). Without one, commands are not fenced (the adapter's own tests).
   */
  epoch?: number | (() => number);
  /** One connection per host shared by every command (openssh-masters.ts); else each connects on its own. */
  connections?: SshConnections;
}

/** The file on a host holding the greatest fence number that has acted there. */
export const HOST_FENCE = '.axum-fence';

/**
 * What runs first on a host before anything is read or moved there. A command of a killed daemon
 * can still be on its way (its ssh connecting, its shell not started): once a later daemon has
 * acted on the host, that command must not land. So each command, under a lock of the host's
 * folder (flock, where the host has it), refuses when a greater fence number is written there,
 * and writes its own. The next daemon's first command on a host fences out every earlier one.
 */
export function fenceScript(root: string, epoch: number): string {
  const fence = quote(`${root}/${HOST_FENCE}`);
  return [
    `mkdir -p -- ${quote(root)}`,
    `if command -v flock >/dev/null 2>&1; then exec 9>>${quote(`${root}/.axum-lock`)} && flock 9; fi`,
    `f=$(cat -- ${fence} 2>/dev/null || true)`,
    `case "$f" in ''|*[!0-9]*) f=0;; esac`,
    `if [ "$f" -gt ${epoch} ]; then echo "a daemon started later has acted on this host (fence $f, this daemon ${epoch}): refusing" >&2; exit 1; fi`,
    `if [ "$f" != ${epoch} ]; then echo ${epoch} > ${quote(`${root}/${HOST_FENCE}.tmp`)} && mv -f -- ${quote(`${root}/${HOST_FENCE}.tmp`)} ${fence}; fi`,
    '',
  ].join('\n');
}

/**
 * `sha256sum -c` lines of a release's files; a name it would have to escape is refused instead.
 * Links are not in it (`sha256sum` would hash the file they name): `linkCheck` reads them.
 */
export function checksumText(release: ReleaseView): string {
  return release.artifacts
    .map((a) => {
      if (/[\n\r\\]/.test(a.path)) throw new Error(`the file name ${JSON.stringify(a.path)} cannot be checked on a host (a newline or backslash)`);
      return a.link === undefined ? `${a.sha256}  ./${a.path}\n` : '';
    })
    .join('');
}

/**
 * A shell test, run in a release folder on a host, that every link of the release is a symlink
 * with its recorded target text (rsync `-l` sends links as links); it says which one is not on
 * stderr. `true` for a release without links.
 */
export function linkCheck(release: ReleaseView): string {
  const links = release.artifacts.filter((a) => a.link !== undefined);
  return links.length === 0
    ? 'true'
    : links
        .map((a) => {
          const path = quote(`./${a.path}`);
          return `{ [ -L ${path} ] && [ "$(readlink -- ${path})" = ${quote(a.link!)} ] || { echo ${quote(`${a.path}: not a symlink to ${a.link!}`)} >&2; false; }; }`;
        })
        .join(' && ');
}

/**
 * Remote hosts over OpenSSH and rsync as they are (no agent of ours on the hosts). Every command
 * is an argument list; the one string a remote shell reads is built from checked parts, each quoted.
 * `BatchMode=yes`: nothing may prompt (a daemon has no one to ask); `StrictHostKeyChecking=yes`:
 * an unknown host key is a refusal, never accepted on first sight.
 */
export function createSshRemoteHosts(options: SshHostsOptions = {}): RemoteHosts {
  const commandTimeoutMs = options.commandTimeoutMs ?? 60_000;
  const copyTimeoutMs = options.copyTimeoutMs ?? 3_600_000;
  let epoch: number | undefined;
  const epochOf = (given: number | (() => number)) => (epoch ??= typeof given === 'number' ? given : given());
  const fenced = (host: HostSpec, script: string) => (options.epoch === undefined ? script : `${fenceScript(host.path, epochOf(options.epoch))}${script}`);
  const shared = (host: HostSpec) => options.connections?.optionsFor(host) ?? Promise.resolve([]);
  const ssh = async (host: HostSpec, what: string, script: string, input: string | null = null): Promise<string> =>
    runOnHost(host, options.configFile, what, fenced(host, script), input, commandTimeoutMs, options.env, await shared(host));
  const releasesDir = (host: HostSpec) => `${host.path}/releases`;

  return {
    async inspect(host, release) {
      const folder = `${releasesDir(host)}/${release.id}`;
      // The links are read too: two releases whose files are the same may differ in a link.
      const out = await ssh(
        host,
        'reading the host folder',
        `readlink -- ${quote(`${host.path}/current`)} || true; echo ---; cat -- ${quote(`${folder}/${HOST_CHECKSUMS}`)} 2>/dev/null || true; echo ---; (cd -- ${quote(folder)} 2>/dev/null && { ${linkCheck(release)}; } 2>/dev/null) && echo linked || true`,
      );
      const [link = '', checksums = '', linked = ''] = out.split('---\n');
      const named = link.trim();
      const match = /^releases\/([A-Za-z0-9._-]+)$/.exec(named);
      const result: HostInspection = { current: match ? match[1]! : named === '' ? null : named, present: checksums === checksumText(release) && linked.trim() === 'linked' };
      return result;
    },

    async prepare(host, release) {
      const fence = options.epoch === undefined ? '' : fenceScript(host.path, epochOf(options.epoch));
      // A ready host waits for its siblings: one that lacks the release checks, copies, then checks again.
      const session = { host, configFile: options.configFile, fence, shared: await shared(host), env: options.env, commandTimeoutMs, holdTimeoutMs: copyTimeoutMs + 2 * commandTimeoutMs };
      return openPreparedSwap(session, release, preparedSwapScript(host, release, fence, checksumText(release), linkCheck(release), tempLinkName()));
    },

    async push(host, release, localDir, linkDest) {
      const checksums = checksumText(release);
      const partial = `${releasesDir(host)}/.partial-${release.id}`;
      const final = `${releasesDir(host)}/${release.id}`;
      const rsh = rsyncShell(host, options.configFile, await shared(host));
      // --mkpath makes `releases/` on a new host; --delete makes a copy a cut-short attempt left
      // exactly this release (rsync replaces files by rename, so a file hard-linked to another
      // release is never written through).
      // --checksum with no -t: a release folder's files are fresh copies (new mtimes), so only their
      // content can say "unchanged", and a file linked against `linkDest` must not need its times.
      const args = ['-rlpD', '--checksum', '--delete', '--mkpath', '--stats', '--exclude=/.axum-complete', '-e', rsh];
      if (linkDest) args.push(`--link-dest=${releasesDir(host)}/${linkDest}`);
      args.push('--', `${localDir.replace(/\/+$/, '')}/`, rsyncPlace(host, `${partial}/`));
      const copied = await execute('rsync', args, null, copyTimeoutMs, options.env);
      if (copied.code !== 0) throw new Error(reasonOf(`copying ${release.id} to ${host.spec} (rsync)`, copied, RSYNC_EXITS));
      const sent = /Total bytes sent: ([\d,.]+)/.exec(copied.stdout)?.[1]?.replace(/[,.]/g, '') ?? '0';
      // The checksums arrive on stdin, are checked in the copy, and the copy is moved into place
      // only when every file matched: `releases/<id>` is never a folder with a wrong file in it.
      const current = quote(`${host.path}/current`);
      await ssh(
        host,
        `checking the sha256 of ${release.id}`,
        [
          `cd -- ${quote(partial)}`,
          `cat > ${HOST_CHECKSUMS}`,
          `sha256sum --quiet --strict -c ${HOST_CHECKSUMS} >&2`,
          linkCheck(release),
          `if [ "$(readlink -- ${current} || true)" = ${quote(`releases/${release.id}`)} ]; then echo "current names another folder of ${release.id}; refusing to replace it" >&2; exit 1; fi`,
          `rm -rf -- ${quote(final)}`,
          `mv -T -- ${quote(partial)} ${quote(final)}`,
        ].join(' && '),
        checksums,
      );
      return { bytesSent: Number(sent) };
    },

    async prune(host, keep) {
      // Ids come from the records (`rel-N`); checked again here because they reach a remote shell.
      const kept = keep.filter((id) => /^[A-Za-z0-9._-]+$/.test(id));
      const script = [
        `cd -- ${quote(releasesDir(host))} 2>/dev/null || exit 0`,
        `live=$(readlink -- ${quote(`${host.path}/current`)} || true)`,
        `for d in rel-*; do [ -d "$d" ] || continue; case " ${kept.join(' ')} " in *" $d "*) continue;; esac; [ "$live" = "releases/$d" ] && continue; rm -rf -- "$d" && echo "$d"; done`,
      ].join('; ');
      const out = await ssh(host, 'removing old releases', script);
      return out.split('\n').filter((line) => line !== '');
    },

    async swap(host, releaseId) {
      const current = quote(`${host.path}/current`);
      if (releaseId === null) {
        await ssh(host, 'removing current', `rm -f -- ${current}`);
        return;
      }
      const temp = quote(`${host.path}/.current-${randomBytes(6).toString('hex')}`);
      const target = `releases/${releaseId}`;
      await ssh(
        host,
        `pointing current at ${releaseId}`,
        `{ test -f ${quote(`${host.path}/${target}/${HOST_CHECKSUMS}`)} || { echo "${target} is not on the host" >&2; exit 1; }; } && ln -s -- ${quote(target)} ${temp} && { mv -T -- ${temp} ${current} || { rm -f -- ${temp}; exit 1; }; }`,
      );
    },
  };
}
