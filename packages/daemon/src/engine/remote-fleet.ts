// Remote environments (docs/remote-environments.md): the hosts of an environment move
// together, all or none. The deploy machine's states stay as they are: `materializing` also
// stages the release on every host, `swapping` swaps every host's `current` and then the local
// one, `undoing` puts every host back. Each host's outcome is kept on the environment's document.
import { parseHostSpec, type HostSpec, type HostView, type ReleaseView, type RevisionHost } from '@axum/protocol';
import { withHostOutcome } from '../domain/revision-hosts.js';
import type { DeployState } from './deploy-state.js';
import type { Logger, PreparedSwap, RemoteHosts } from './ports.js';

/** The hosts of environments, moved all or none. */
export interface RemoteFleet {
  /** The environment's hosts, parsed (empty: a local environment). */
  hostsOf(env: string): HostSpec[];
  /**
   * Before any host swaps: `releases/<id>` on every host, copied (and sha256-checked there) only
   * where it is not there whole, and each host's swap made ready in one session with its check
   * (a host that already holds the release costs one ssh session for the whole operation). Null
   * when every host is ready, else what failed, naming each host; then no host is left ready.
   */
  stage(env: string, release: ReleaseView, localDir: string): Promise<string | null>;
  /**
   * Every host's `current` → the release (the sessions the stage left ready are told to move; a
   * host without one swaps in a session of its own). When one host fails, every host goes back to what it
   * named before the stage, and this rejects naming the host (nothing stays half-swapped).
   */
  swap(env: string, release: ReleaseView): Promise<void>;
  /**
   * Every host back on `release` (null: no `current`), after an error once the hosts had moved; a
   * host that lacks the release's folder gets it copied first (said in the daemon's log).
   */
  putBack(env: string, release: ReleaseView | null, localDir: string | null): Promise<void>;
  /**
   * Release retention on the hosts: removes the folders of releases the records no longer keep
   * (never the one a host's `current` names). A host that cannot be reached keeps its folders
   * until the next retention; the daemon's log says so. Never rejects.
   */
  prune(env: string, keep: readonly string[]): Promise<void>;
  /**
   * At start: asks every host what its `current` names and records, per host, whether that is the
   * release the history says serves (`serving`; null: nothing does, and nothing is asked). Nothing is moved: a host that
   * disagrees or cannot be reached is shown `failed` with why, for a person to decide. Never rejects.
   */
  check(env: string, serving: ReleaseView | null): Promise<void>;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A fleet over the `RemoteHosts` port; `remote` absent: an environment with hosts cannot deploy (said, never ignored). */
export function createRemoteFleet(state: DeployState, remote: RemoteHosts | undefined, logger: Logger): RemoteFleet {
  /** What each host's `current` named when the last stage looked (what a failed swap goes back to). */
  const before = new Map<string, string | null>();
  /** The hosts the last stage of each environment reached: its swap moves exactly those (a config reloaded in between changes nothing). */
  const staged = new Map<string, HostSpec[]>();
  const hostsOf = (env: string): HostSpec[] =>
    (state.declaration(env)?.hosts ?? []).flatMap((text) => {
      const parsed = parseHostSpec(text);
      return 'problem' in parsed ? [] : [parsed]; // checked by the schema; a record edited by hand is skipped
    });
  const note = (env: string, host: HostSpec, releaseId: string | null, problem: string | null) => {
    const doc = state.docs.get(env);
    if (!doc) return;
    const entry: HostView = { host: host.spec, releaseId, state: problem ? 'failed' : 'ok', reason: problem, at: state.now() };
    doc.hosts = [...doc.hosts.filter((h) => h.host !== host.spec), entry];
    state.deps.publish(env);
  };
  /**
   * What the operation under way did on a host, kept on its revision (`axum history`): the newest
   * one, as one operation per environment runs at a time; `releaseId` guards against any other.
   */
  const outcome = (env: string, releaseId: string | null, host: HostSpec, what: RevisionHost['outcome'], reason: string | null = null) => {
    const revision = state.docs.get(env)?.revisions.at(-1);
    if (!revision || (releaseId !== null && revision.releaseId !== releaseId)) return;
    revision.hosts = withHostOutcome(revision.hosts, { host: host.spec, outcome: what, reason }, hostsOf(env).map((h) => h.spec));
  };
  const lastRelease = (env: string, host: HostSpec) => state.docs.get(env)?.hosts.find((h) => h.host === host.spec)?.releaseId ?? null;
  const port = (): RemoteHosts => {
    if (!remote) throw new Error('this daemon has no ssh adapter for remote hosts');
    return remote;
  };

  /** The revision being undone (the newest, of another release than the one put back): each host is `put-back`, or `failed` when it could not be. */
  const putBackOutcome = (env: string, release: ReleaseView | null, host: HostSpec, problem: string | null) => {
    const revision = state.docs.get(env)?.revisions.at(-1);
    const was = revision?.hosts?.find((h) => h.host === host.spec);
    // A host recorded only staged stays so: putting it back moved nothing it had been told to serve.
    // One with no record (a crash came before it was saved) may have been switched: it is put back.
    if (!revision || revision.releaseId === release?.id || (was?.outcome === 'staged' && problem === null)) return;
    outcome(env, null, host, problem ? 'failed' : 'put-back', problem ? `could not be put back on ${release?.id ?? 'nothing'}: ${problem}` : `back on ${release?.id ?? 'nothing'}`);
  };

  /** Each environment's hosts made ready by its last stage, waiting for its swap. */
  const prepared = new Map<string, Map<string, PreparedSwap>>();
  const abortAll = async (held: Map<string, PreparedSwap> | undefined) => void (await Promise.all([...(held?.values() ?? [])].map((p) => p.abort())));

  /** Runs `work` on every host at once; the failures, each naming its host. */
  async function onEvery(hosts: HostSpec[], work: (host: HostSpec) => Promise<void>): Promise<{ host: HostSpec; problem: string }[]> {
    const settled = await Promise.allSettled(hosts.map(work));
    return settled.flatMap((s, i) => (s.status === 'rejected' ? [{ host: hosts[i]!, problem: errorText(s.reason) }] : []));
  }

  /** Copies the release to a host that lacks it whole; `seen` is what the host's `current` named. */
  async function copy(env: string, host: HostSpec, release: ReleaseView, localDir: string, seen: string | null, why: string): Promise<void> {
    // Files unchanged since the release the host serves are hard-linked against it, not sent again.
    const linkDest = seen && seen !== release.id && /^[A-Za-z0-9._-]+$/.test(seen) ? seen : null;
    const { bytesSent } = await port().push(host, release, localDir, linkDest);
    logger.info(`${env}: ${release.id} copied to ${host.spec}${why} (${bytesSent} bytes sent${linkDest ? `, unchanged files linked against ${linkDest}` : ''}), sha256 checked there`);
  }

  async function ensure(env: string, host: HostSpec, release: ReleaseView, localDir: string, why: string): Promise<void> {
    const seen = await port().inspect(host, release);
    before.set(`${env} ${host.spec}`, seen.current);
    if (!seen.present) await copy(env, host, release, localDir, seen.current, why);
  }

  /**
   * The host checked and its swap made ready in one session; a host lacking the release gets it
   * copied first, then a session of its own like the others.
   */
  async function ready(env: string, host: HostSpec, release: ReleaseView, localDir: string): Promise<PreparedSwap> {
    const seen = await port().prepare(host, release);
    before.set(`${env} ${host.spec}`, seen.current);
    if (seen.present) return seen;
    await copy(env, host, release, localDir, seen.current, '');
    const copied = await port().prepare(host, release);
    if (!copied.present) throw new Error(`releases/${release.id} on ${host.spec} is not whole right after its copy`);
    return copied;
  }

  return {
    hostsOf,
    async stage(env, release, localDir) {
      const hosts = hostsOf(env);
      staged.set(env, hosts);
      await abortAll(prepared.get(env)); // an operation that never reached its swap
      prepared.delete(env);
      if (hosts.length === 0) return null;
      const held = new Map<string, PreparedSwap>();
      const failed = await onEvery(hosts, async (host) => {
        try {
          held.set(host.spec, await ready(env, host, release, localDir));
          outcome(env, release.id, host, 'staged');
        } catch (err) {
          note(env, host, lastRelease(env, host), errorText(err));
          outcome(env, release.id, host, 'failed', errorText(err));
          throw err;
        }
      });
      if (failed.length === 0) {
        prepared.set(env, held);
        return null;
      }
      await abortAll(held); // one host could not: every ready host's new link is removed, nothing moved
      return `${failed.length} of ${hosts.length} host(s) could not take ${release.id}, so no host was switched: ${failed.map((f) => f.problem).join('; ')}`;
    },
    async swap(env, release) {
      const hosts = staged.get(env) ?? hostsOf(env);
      if (hosts.length === 0) return;
      const held = prepared.get(env);
      prepared.delete(env);
      // Every host said ready in the stage: only now is any told to move.
      const failed = await onEvery(hosts, async (host) => {
        const ready = held?.get(host.spec);
        await (ready ? ready.commit() : port().swap(host, release.id));
        state.deps.crash('hosts.host-swapped');
      });
      if (failed.length === 0) {
        for (const host of hosts) {
          note(env, host, release.id, null);
          outcome(env, release.id, host, 'switched');
        }
        return;
      }
      // A failed swap moved nothing on its host (`mv -T` is atomic), but a connection lost after the
      // move cannot be told apart: every host, failed ones too, goes back to what it named.
      const back = await onEvery(hosts, (host) => port().swap(host, before.get(`${env} ${host.spec}`) ?? null));
      for (const host of hosts) {
        const own = failed.find((f) => f.host === host)?.problem ?? null;
        const stuck = back.find((b) => b.host === host)?.problem ?? null;
        const wasOn = before.get(`${env} ${host.spec}`) ?? null;
        note(env, host, stuck === null ? wasOn : null, own ?? stuck);
        // On the revision: its own failure first, then one that could not be put back; else put back.
        if (own !== null || stuck !== null) outcome(env, release.id, host, 'failed', own ?? stuck);
        else outcome(env, release.id, host, 'put-back', `back on ${wasOn ?? 'nothing'}: another host failed`);
      }
      const putBack = back.length === 0 ? 'every host was switched back' : `switched back: ${hosts.filter((h) => !back.some((b) => b.host === h)).map((h) => h.spec).join(', ') || 'none'}; could not put back ${back.map((b) => `${b.host.spec} (${b.problem})`).join(', ')}`;
      throw new Error(`switching ${release.id} failed on ${failed.map((f) => f.host.spec).join(', ')}: ${failed.map((f) => f.problem).join('; ')}; ${putBack}`);
    },
    async prune(env, keep) {
      const hosts = hostsOf(env);
      if (hosts.length === 0 || !remote) return;
      await onEvery(hosts, async (host) => {
        try {
          const removed = await remote.prune(host, keep);
          if (removed.length > 0) logger.info(`${env}: release retention removed ${removed.join(', ')} on ${host.spec}`);
        } catch (err) {
          logger.warn(`${env}: release retention on ${host.spec} did not run: ${errorText(err)}`);
        }
      });
    },
    async check(env, serving) {
      const hosts = hostsOf(env);
      if (hosts.length === 0 || !remote || serving === null) return;
      await onEvery(hosts, async (host) => {
        try {
          const seen = await remote.inspect(host, serving);
          const problem =
            seen.current === serving.id && seen.present
              ? null
              : `current names ${seen.current ?? 'nothing'}${seen.current === serving.id ? ' but its folder is not whole' : ''}; history says ${serving.id} serves`;
          note(env, host, seen.current, problem);
        } catch (err) {
          note(env, host, lastRelease(env, host), errorText(err));
        }
      });
      await state.persist(env).catch((err: Error) => logger.warn(`${env}: saving the hosts' state: ${err.message}`));
    },
    async putBack(env, release, localDir) {
      const hosts = hostsOf(env);
      const failed = await onEvery(hosts, async (host) => {
        if (release && localDir) await ensure(env, host, release, localDir, ' (it lacked it: copied before switching back)');
        await port().swap(host, release?.id ?? null);
        note(env, host, release?.id ?? null, null);
        putBackOutcome(env, release, host, null);
      });
      for (const f of failed) {
        note(env, f.host, null, `could not be put back on ${release?.id ?? 'nothing'}: ${f.problem}`);
        putBackOutcome(env, release, f.host, f.problem);
      }
      if (failed.length > 0) throw new Error(`could not put ${failed.map((f) => f.host.spec).join(', ')} back on ${release?.id ?? 'nothing'}: ${failed.map((f) => f.problem).join('; ')}`);
    },
  };
}

/** What a verify or monitor step run for one host reads (docs/remote-environments.md). */
export function hostStepEnv(host: HostSpec, releaseId: string): Record<string, string> {
  return {
    AXUM_HOST: host.host,
    AXUM_HOST_SSH: host.user ? `${host.user}@${host.host}` : host.host,
    AXUM_HOST_PORT: host.port === null ? '' : String(host.port),
    AXUM_HOST_SPEC: host.spec,
    AXUM_HOST_RELEASE_DIR: `${host.path}/releases/${releaseId}`,
    AXUM_HOST_CURRENT: `${host.path}/current`,
  };
}
