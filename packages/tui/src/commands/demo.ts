import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, appendFileSync, constants, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { attach, stopDaemon } from '../client/daemon-launcher.js';
import { prepareDemoDir } from './demo-dir.js';
import { copyExampleProject, EXAMPLE, modelServerPort, spawnModelServer } from './demo-project.js';
import { requestsLine, startLoad, type LoadGenerator } from './demo-load.js';
import { findPrometheus, liveTrafficChapter, monitorYaml, NO_PROMETHEUS, startPrometheus, type DemoPrometheus } from './demo-prometheus.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions } from './output.js';
import { call } from './runs.js';
import { importViews, prepareTerminalEnv } from './tui.js';

/** One expectation of the story: what should hold, and whether it did. */
interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

/**
 * `axum demo [--headless] [--dir DIR] [--keep]`: the whole story on the example model project —
 * a model is trained and verified on staging, and production gets that very release when main
 * catches up (build once, promote: no retraining); a better one follows; a bad one (a bug in its
 * training data) fails verification on staging, is rolled back to the last known good
 * automatically, and is refused when it reaches main; with `prometheus` on PATH, a v4 that passes
 * its offline eval fails under live traffic, and the monitor that asks Prometheus for its error rate
 * rolls staging back; production is rolled back by hand for a problem no gate measures, and pinned.
 * A load generator asks the served model for predictions all along. Exits 0 only if every expectation held.
 */
export async function demoCommand(options: GlobalOptions & { dir?: string; keep?: boolean; headless?: boolean }): Promise<ExitCode> {
  const given = options.dir !== undefined ? prepareDemoDir(options.dir) : null;
  const base = given ? given.path : mkdtempSync(join(tmpdir(), 'axum-demo-'));
  try {
    accessSync(base, constants.W_OK);
  } catch {
    throw new CliError(`cannot write to ${base}; pass --dir with a writable folder`, EXIT.usage);
  }
  const repo = join(base, 'model-project');
  const started = Date.now();
  // On a terminal the story plays in the TUI (narrated in its footer); otherwise as plain lines.
  const interactive = !options.headless && !options.json && process.stdout.isTTY === true && process.stdin.isTTY === true;
  const listeners = new Set<(line: string) => void>();
  const transcript: string[] = [];
  const say = (line: string) => {
    const stamped = `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`;
    transcript.push(stamped);
    if (interactive) for (const listener of listeners) listener(`demo: ${line}`);
    else process.stdout.write(`${stamped}\n`);
  };
  let tuiDone: Promise<void> | null = null;
  /** The load generator's count: the last line the demo prints (README.md, "Quick start"). */
  let requests: string | null = null;
  /** The user quit the TUI before the story ended: stop waiting and clean up. */
  let quitEarly = false;
  const checks: Check[] = [];
  const expect = (what: string, ok: boolean, detail = '') => {
    checks.push({ what, ok, detail });
    say(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
  };
  let server: ChildProcess | null = null;
  let connection: DaemonConnection | null = null;
  let load: LoadGenerator | null = null;
  let prometheus: DemoPrometheus | null = null;
  let interrupted = false;
  const cleanup = async () => {
    load?.stop();
    await prometheus?.stop().catch(() => undefined);
    server?.kill('SIGTERM');
    connection?.close();
    await stopDaemon(repo).catch(() => null);
    if (!options.keep) rmSync(given?.made ?? base, { recursive: true, force: true });
  };
  const onSignal = () => {
    interrupted = true;
    say('interrupted: stopping the daemon, the server, Prometheus and the load, and removing the demo folder');
    void cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    say(`the example model project → ${repo}`);
    const git = copyExampleProject(repo);
    server = spawnModelServer(repo);
    const port = await modelServerPort(server);
    const prometheusBin = findPrometheus();
    if (prometheusBin) {
      prometheus = await startPrometheus(prometheusBin, join(base, 'prometheus'), `127.0.0.1:${port}`);
      appendFileSync(join(repo, 'axum.yml'), monitorYaml(prometheus.url));
      say(`Prometheus (${prometheusBin}) on ${prometheus.url} scrapes the model server's /metrics every second (series labelled by env and release); axum.yml's monitor asks it for the live release's error rate`);
    }

    connection = await attach(repo, 'axum-demo');
    const conn = connection;
    if (interactive) {
      prepareTerminalEnv();
      const { runTui } = await importViews();
      const tuiConnection = await attach(repo, 'axum-tui');
      tuiDone = runTui(repo, tuiConnection, { subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)) });
      void tuiDone.then(() => (quitEarly = true));
    }
    // The daemon records the (empty) heads before the first commit, so that commit runs.
    await call(conn, 'git.reconcile', {});
    const state = () => conn.request('state.get', {});
    const until = async <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (quitEarly) throw new CliError('quit before the story ended', EXIT.failed);
        const value = await probe();
        if (value) return value;
        if (Date.now() > deadline) throw new CliError(`timed out waiting for ${what}`, EXIT.failed);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const env = async (name: string) => (await state()).environments.find((e) => e.name === name);
    const liveAt = (name: string, revision: number) => until(`${name} #${revision} to be live`, async () => {
      const e = await env(name);
      return e?.live?.revision === revision && !e.operation ? e : null;
    });
    const history = (name: string) => conn.request('history.get', { env: name });

    const commit = (message: string, epochs: number, badData = false, logX1 = false) => {
      writeFileSync(join(repo, 'config', 'train.json'), `{ "epochs": ${epochs}${logX1 ? ', "log_x1": true' : ''} }\n`);
      if (badData) {
        // The bug: an export step wrote the labels inverted.
        const text = readFileSync(join(repo, 'data', 'train.csv'), 'utf8').trim().split('\n');
        writeFileSync(join(repo, 'data', 'train.csv'), [text[0], ...text.slice(1).map((l) => l.replace(/,(\d)$/, (_m, y: string) => `,${1 - Number(y)}`))].join('\n') + '\n');
      }
      git('checkout', '-q', '-B', 'staging');
      git('add', '-A');
      git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    };
    /** Promotes what staging has to production: main fast-forwards to staging (a merge brings the same commit). */
    const promote = () => {
      git('branch', '-f', 'main', 'staging');
      return git('rev-parse', 'main');
    };
    /** The run of `commit` on main, once its stages are settled (reused or built) and its deploy is no longer pending. */
    const mainRun = (commit: string) =>
      until(`the run of ${commit.slice(0, 8)} on main`, async () => {
        const runs = await conn.request('runs.list', { limit: 50 });
        return runs.find((r) => r.branch === 'main' && r.commit === commit && r.status !== 'queued' && r.status !== 'running' && r.deploy !== null && r.deploy.outcome !== 'pending');
      });
    const weightsOf = (name: string) => sha256(join(repo, '.axum', 'envs', name, 'current', 'model', 'weights.json'));
    /** Build once, promote: production's run reused staging's release, trained nothing, and serves the same bytes. */
    const expectPromoted = async (commit: string, stagingRelease: string) => {
      const run = await mainRun(commit);
      const prod = await env('production');
      const ran = run.steps.filter((step) => step.status !== 'skipped').map((step) => step.name);
      say(`main's run ${run.id}: ${run.message ?? ''}`);
      expect(
        `production got ${stagingRelease}, the release staging verified, without retraining`,
        run.reused && run.releaseId === stagingRelease && prod?.live?.releaseId === stagingRelease && ran.length === 0 && weightsOf('production') === weightsOf('staging'),
        `${run.id} ${run.reused ? 'reused' : 'rebuilt'} ${run.releaseId ?? 'nothing'}; steps run: ${ran.join(', ') || 'none'}; sha256 ${weightsOf('production').slice(0, 12)}…`,
      );
    };
    const approve = async (revision: number) => {
      await until('production to wait for approval', async () => (await env('production'))?.awaitingApproval);
      const t0 = Date.now();
      const result = await conn.request('env.approve', { env: 'production', by: 'axum demo' }, 120_000);
      // The demo stands in for the person who would type `axum approve production`: say so.
      say(`production waits for approval (approval: manual); the demo approves it as you would with \`axum approve production\`: #${result.revision} ${result.status}${result.verified ? ', verified' : ', not verified'} (${Date.now() - t0} ms)`);
      await liveAt('production', revision);
    };

    // v1
    say('v1: train 3 epochs, commit on staging');
    const v1 = commit('v1: first model (3 epochs)', 3);
    const s1 = await liveAt('staging', 1);
    say(`staging #1 live: ${s1.live?.releaseId} (${v1.slice(0, 8)})`);
    say('main catches up with staging: the same commit, so production gets the same release (no retraining)');
    const m1 = promote();
    await approve(1);
    await expectPromoted(m1, s1.live?.releaseId ?? '');

    // The served model under load from here on.
    load = startLoad(port);
    say(`serving predictions on 127.0.0.1:${port}; the load generator starts (inputs in [-3, 3]: live traffic, a bit wider than the data's [-2, 2])`);

    // v2
    say('v2: train 50 epochs (better accuracy)');
    commit('v2: train longer (50 epochs)', 50);
    const s2 = await liveAt('staging', 2);
    const m2 = promote();
    await approve(2);
    await expectPromoted(m2, s2.live?.releaseId ?? '');
    const goodRelease = s2.live?.releaseId ?? '';

    // v3: the bad model
    say('v3: a bug in the training data (labels inverted) reaches staging');
    const v3 = commit('v3: refreshed training data', 50, true);
    const t3 = Date.now();
    const revisions = await until('the bad model to fail and be rolled back', async () => {
      const h = await history('staging');
      return h[0]?.kind === 'auto-rollback' && h[0].status !== 'deploying' && h[0].status !== 'verifying' ? h : null;
    });
    const [rollback, failed] = revisions;
    say(`staging #${failed?.revision} ${failed?.status}: ${failed?.message}`);
    say(`staging #${rollback?.revision} ${rollback?.kind} → #${rollback?.rollbackTo}: ${rollback?.status} (${Date.now() - t3} ms from commit)`);
    expect('the bad model failed verification on staging', failed?.status === 'failed' && failed.commit === v3 && /accuracy/.test(failed.message ?? ''), failed?.message ?? 'no failed revision');
    expect('staging rolled back to the last known good automatically', rollback?.status === 'live' && rollback.releaseId === goodRelease, `rollback #${rollback?.revision} serves ${rollback?.releaseId}`);
    const releases = await conn.request('releases.list', {});
    const good = releases.find((r) => r.id === goodRelease);
    const servedHash = sha256(join(repo, '.axum', 'envs', 'staging', 'current', 'model', 'weights.json'));
    expect("staging's current holds the last known good's files", good?.artifacts.find((a) => a.path === 'model/weights.json')?.sha256 === servedHash, `sha256 ${servedHash.slice(0, 12)}…`);
    expect('the bad release is marked bad', releases.find((r) => r.id === failed?.releaseId)?.bad !== null);

    // Someone merges staging into main anyway: the same commit, whose release failed on staging.
    say('v3 reaches main (a merge): its release is marked bad, so production refuses it');
    const m3 = promote();
    const refused = await mainRun(m3);
    say(`main's run ${refused.id}: ${refused.message ?? ''}`);
    const prodAfter = await env('production');
    expect(
      'the model that failed on staging is refused for production (refused-bad); production stays on v2',
      refused.deploy?.outcome === 'refused-bad' && prodAfter?.live?.releaseId === goodRelease && prodAfter.awaitingApproval === false,
      `${refused.id}: ${refused.deploy?.outcome ?? 'no deploy'}; production live ${prodAfter?.live?.releaseId ?? 'nothing'}`,
    );

    // v4: a model that passes its offline eval and fails under live traffic; Prometheus sees it.
    const unusable = prometheus ? await prometheus.ready : NO_PROMETHEUS;
    if (unusable) say(`v4 (a model that fails only under live traffic, rolled back by a monitor asking Prometheus) is skipped: ${unusable}`);
    else {
      const commitV4 = () => {
        cpSync(join(EXAMPLE, 'data', 'train.csv'), join(repo, 'data', 'train.csv'));
        return commit('v4: training data fixed; x1 log-scaled', 200, false, true);
      };
      await liveTrafficChapter({ conn, say, expect, until, commitV4, load, goodRelease });
    }

    // Manual rollback of production, with pin. No gate failed: v2 passed its verification. A human
    // learns what no gate measures (here: support reports v2 answering worse on one customer's
    // segment), so a human rolls back. Production is protected: from the TUI a typed confirmation,
    // from a script --yes. The rollback pins production, so the next merge to main cannot undo it,
    // and marks the release it leaves bad (`axum mark rel-N good` clears it once disproved).
    say('production: support reports v2 answering worse on one customer segment (no gate measures that): roll back by hand to #1, which pins production and marks v2 bad');
    const t4 = Date.now();
    const manual = await conn.request('env.rollback', { env: 'production', to: 1, force: false, by: 'axum demo' }, 120_000);
    const rollbackMs = Date.now() - t4;
    say(`production #${manual.revision} ${manual.kind} → #${manual.rollbackTo}: ${manual.status} in ${rollbackMs} ms (pointer swap + verify)`);
    const prod = await env('production');
    const marked = (await conn.request('releases.list', {})).find((r) => r.id === goodRelease)?.bad;
    expect(
      'production rolled back to #1 and pinned; the release it left is marked bad, with who and why',
      manual.status === 'live' && manual.rollbackTo === 1 && prod?.pinned === true && marked != null,
      `#${manual.revision}; ${goodRelease}: ${marked ? `bad: ${marked.why} (by ${marked.by})` : 'not marked'}`,
    );
    const runs = await conn.request('runs.list', { limit: 50 });
    expect('every run of the story succeeded (the bad model builds; verification catches it)', runs.length >= 4 && runs.every((r) => r.status === 'succeeded'), `${runs.length} runs`);

    await new Promise((r) => setTimeout(r, 300));
    // In the TUI the story's end is not the end of the world: with no traffic the monitor's error
    // rate is 0/0 (inconclusive), and ten of those in a row paused both environments while the
    // person looked. A trickle keeps them measured, healthy and serving, until q.
    const counts = interactive ? load.counts() : load.stop();
    if (interactive) load.trickle();
    expect('the model kept answering: 0 failed requests', counts.failed === 0 && counts.sent > 0, `${counts.sent} sent${counts.errors ? `; ${counts.errors} answered HTTP 500 by v4` : ''}`);
    say(`total ${((Date.now() - started) / 1000).toFixed(1)} s; rollback latency ${rollbackMs} ms`);
    requests = requestsLine(counts);
    if (interactive) say(requests);
  } catch (err) {
    if (interrupted) return EXIT.failed;
    expect('the story ran to its end', false, (err as Error).message);
  } finally {
    if (tuiDone) {
      const held = checks.filter((c) => c.ok).length;
      say(`story over: ${held} of ${checks.length} expectations held — the keys are yours; q quits and cleans up`);
      await tuiDone;
      // The trickle ran until now: the last line counts it too.
      const final = load?.stop();
      if (final && requests) requests = requestsLine(final);
      process.stdout.write(`${transcript.join('\n')}\n`);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (options.keep) {
      // Its monitor asks the demo's Prometheus, which stops with the demo: said before the user
      // starts the daemon again and finds both environments paused over inconclusive checks.
      const monitors = prometheus ? '; the Prometheus its axum.yml monitor asks stopped with the demo, so that monitor finds no answer and pauses the environments within seconds: remove `monitor:` from axum.yml, or approve (`axum approve ENV`)' : '';
      say(`kept: ${repo} (its daemon is stopped; \`axum --repo ${repo}\` starts it again${monitors})`);
    }
    await cleanup();
  }
  const failedChecks = checks.filter((c) => !c.ok);
  if (failedChecks.length > 0) {
    process.stderr.write(`axum demo: ${failedChecks.length} expectation(s) did not hold:\n${failedChecks.map((c) => `  - ${c.what}: ${c.detail}`).join('\n')}\n`);
  } else process.stdout.write(`demo: all ${checks.length} expectations held\n`);
  if (requests) process.stdout.write(`${requests}\n`);
  return failedChecks.length > 0 ? EXIT.failed : EXIT.ok;
}

function sha256(file: string): string {
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : '';
}
