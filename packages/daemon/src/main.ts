// Composition root of the daemon: arguments → lock → config → engine → transport → discovery.
// Started detached by `axum daemon start` (or by any command that needs a daemon) as:
//   node axum-daemon.mjs --axum-daemon --repo ABSOLUTE_ROOT [--listen 127.0.0.1:PORT]
// (axum-daemon.mjs is this file bundled with its dependencies by bundle.mjs, for idle memory).
import { unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AXUM_VERSION, CONFIG_FILE, PID_FILE, PROTOCOL_VERSION, RECENT_RUNS, repositoryKey, runtimePathsFor, type DaemonInfo } from '@axum/protocol';
import { daemonArgsOrExit } from './daemon-args.js';
import { createHttpPrometheus } from './adapters/http-prometheus.js';
import { watchConfigFile } from './adapters/chokidar-config-watcher.js';
import { acquirePidfileLock } from './adapters/pidfile-lock.js';
import { guardWorktrees, securePrivateDir, secureRuntimeDir, writeTokenFile } from './adapters/runtime-dir.js';
import { recordedEnvironmentNames, removeDiscoveryFile, writeDiscoveryFile } from './adapters/state-files.js';
import { createStderrLogger } from './adapters/stderr-logger.js';
import { startWsTransport, type Transport } from './adapters/ws-transport.js';
import { createDaemonEngine, type DaemonEngine } from './engine/daemon-engine.js';
import { createPipeline } from './engine/pipeline.js';
import { createDeployments } from './engine/deployments.js';
import { createSshRemoteHosts } from './adapters/ssh-hosts.js';
import { createSshMasters } from './adapters/openssh-masters.js';
import { createFsReleaseStore } from './adapters/fs-release-store.js';
import { EnvironmentDocument, ReleasesDocument, emptyEnvironmentDocument } from './domain/revisions.js';
import { readFile, rmdir } from 'node:fs/promises';
import { createCgroupContainment } from './adapters/cgroup-containment.js';
import { STEP_MARKER_VAR, createChildProcessRunner } from './adapters/child-process-runner.js';
import { nextHostEpoch } from './adapters/host-epoch.js';
import { watchGitRefs } from './adapters/chokidar-git-watcher.js';
import { watchCurrentLinks } from './adapters/fs-current-watcher.js';
import { followWatchPaths } from './adapters/chokidar-worktree-watcher.js';
import { createFsLogStore, logCapFromEnv, maskFileInPlace } from './adapters/fs-log-store.js';
import { compactBytesFromEnv, createJournaledRunsStore } from './adapters/journaled-runs-store.js';
import { createLowdbDocumentStore } from './adapters/lowdb-document-store.js';
import { createSimpleGit, scrubbedEnv } from './adapters/simple-git-git.js';
import { createBackupWriter } from './adapters/backup-writer.js';
import { backupDestinationFor, lastBackupAt } from './adapters/backup-targets.js';
import { createBackups, type Backups } from './engine/backups.js';
import { restoreCutShort } from './restore-main.js';
import { createConfigApplier, installStopHandlers, killLeftovers, sayIfStartEmpties, stateDirOrExit } from './start-up.js';
import { historyRemovalNotes } from './adapters/fs-history-removed.js';
import { createSecretBook } from './domain/secret-book.js';
import { trackedStateWatch } from './adapters/tracked-state.js';

/** Exit codes of the daemon process, read by the launcher. */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

async function main(): Promise<void> {
  const secretBook = createSecretBook(); // each config, run and release adds its secrets; records and log lines are masked with all
  const logger = createStderrLogger(undefined, secretBook.mask);
  const { repoRoot, crash, listen } = await daemonArgsOrExit(logger, EXIT);

  const stateDir = stateDirOrExit(repoRoot, logger, EXIT.failed);
  // The lock comes before anything that listens: two starters racing must not both bind.
  const lock = acquirePidfileLock(join(stateDir, PID_FILE), { repoRoot });
  if (lock.kind === 'held') {
    logger.info(`another daemon (pid ${lock.pid}) already serves ${repoRoot}; this one exits`);
    process.exit(EXIT.ok);
  }
  // A restore cut short left `.axum/` half-written: serving it would show part of a history as the
  // whole of it (and sweep the store against a releases history not yet restored).
  const cutShort = restoreCutShort(stateDir);
  if (cutShort) {
    logger.error(`refusing to start: ${cutShort}`);
    lock.release();
    process.exit(EXIT.failed);
  }
  if (lock.tookOverFrom !== null) logger.warn(`took over the lock of daemon pid ${lock.tookOverFrom}, which is no longer running (or whose pid another process now has)`);
  logger.info(`daemon ${AXUM_VERSION} (pid ${process.pid}) starting for ${repoRoot}`);

  let transport: Transport | null = null;
  let stopWatching: (() => Promise<void>) | null = null;
  let stopGitWatch: (() => Promise<void>) | null = null;
  let stopPipeline: (() => Promise<void>) | null = null;
  let closeContainment: (() => void) | null = null;
  let closeSshMasters: (() => Promise<void>) | null = null;
  let stopWorkTreeWatchers: (() => Promise<void>) | null = null;
  let stopping = false;
  let backups: Backups | null = null;
  let tokenWritten = false;
  const paths = runtimePathsFor(repoRoot);

  const shutdown = async (reason: string, code: number = EXIT.ok): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info(`stopping: ${reason}`);
    engine?.announceStop(reason);
    removeDiscoveryFile(stateDir);
    backups?.stop();
    await stopWatching?.().catch(() => undefined);
    await stopGitWatch?.().catch(() => undefined);
    await stopWorkTreeWatchers?.().catch(() => undefined);
    await stopPipeline?.().catch((err: Error) => logger.warn(`stopping runs: ${err.message}`));
    await transport?.close().catch((err: Error) => logger.warn(`closing transport: ${err.message}`));
    // Only a token file this daemon wrote: one it refused to start over stays for its owner to see.
    if (tokenWritten) {
      try {
        unlinkSync(paths.tokenFile);
      } catch {
        // already gone
      }
    }
    closeContainment?.();
    await closeSshMasters?.(); // after the runs and deploys stopped; an ssh still on its way then connects on its own
    // A clean stop leaves no empty runtime folder behind (one per daemon start piled up in /tmp);
    // rmdir fails, harmlessly, while anything is still in it (a token file refused at start).
    if (tokenWritten) await rmdir(paths.dir).catch(() => undefined);
    lock.release();
    logger.info('stopped');
    process.exit(code);
  };
  const historyRemoval = historyRemovalNotes(stateDir, paths.dir);
  installStopHandlers({ logger, shutdown, stillOwned: lock.stillOwned, lockLost: historyRemoval.leaveNote, warn: (message) => engine?.warn(message) });
  const listened = sayIfStartEmpties(logger);

  let engine: DaemonEngine | null = null;
  try {
    secureRuntimeDir(paths);
    // We hold the lock, so a socket file left here belongs to a dead daemon of this repository.
    try {
      unlinkSync(paths.socket);
    } catch {
      // none left behind
    }
    const token = writeTokenFile(paths.tokenFile);
    tokenWritten = true;
    const configPath = join(repoRoot, CONFIG_FILE);
    const info: DaemonInfo = {
      pid: process.pid,
      version: AXUM_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      repo: repoRoot,
      socket: paths.socket,
      tokenFile: paths.tokenFile,
      listen: null,
      startedAt: new Date().toISOString(),
    };
    const runsRoot = join(stateDir, 'runs');
    const worktreeRoot = paths.workDir;
    const clock = { now: () => Date.now() };
    const git = guardWorktrees(createSimpleGit(repoRoot), paths);
    const logs = createFsLogStore(runsRoot, logCapFromEnv(process.env.AXUM_LOG_CAP_BYTES, logger));
    // Steps carry this marker so the next daemon can find whatever a crashed one left running.
    const marker = repositoryKey(repoRoot);
    const sshEnv = { ...process.env, [STEP_MARKER_VAR]: marker }; // ssh and rsync: found and killed after a crash too
    const sshMasters = createSshMasters({ dir: join(paths.dir, 'ssh'), prepare: (dir) => securePrivateDir(dir, 'ssh connection folder'), configFile: process.env.AXUM_SSH_CONFIG || null, env: sshEnv, log: (m) => logger.info(m) });
    closeSshMasters = () => sshMasters.close();
    // A cgroup per step where the daemon may create one: setsid and env -i cannot escape it.
    const containment = createCgroupContainment(marker);
    const runner = createChildProcessRunner({ marker, containment });
    closeContainment = () => containment.close();
    const readText = (file: string) => readFile(file, 'utf8').catch(() => '');
    const maskFile = (file: string, secrets: readonly string[]) => maskFileInPlace(file, secrets);
    const environmentPaths = new Map<string, string>();
    const envHistoryDir = join(stateDir, 'history', 'envs');
    const deployments = createDeployments({
      git,
      runner,
      logs,
      releases: createFsReleaseStore(stateDir),
      logger,
      clock,
      baseEnv: scrubbedEnv(),
      worktreeDir: (key) => join(worktreeRoot, `deploy-${key}`),
      metricsFile: (key) => join(runsRoot, `deploy-${key}`, 'metrics.env'),
      readText,
      prometheus: createHttpPrometheus(),
      // The user's own OpenSSH: their ssh config, agent (SSH_AUTH_SOCK of the shell that started the
      // daemon) and known_hosts; AXUM_SSH_CONFIG names another config file (`ssh -F`).
      remoteHosts: createSshRemoteHosts({ configFile: process.env.AXUM_SSH_CONFIG || null, env: sshEnv, epoch: () => nextHostEpoch(stateDir, Date.now()), connections: sshMasters }),
      crash,
      maskFile,
      secretBook,
      releasesStore: createLowdbDocumentStore(join(stateDir, 'history', 'releases.json'), ReleasesDocument, () => ({ version: 1 as const, releases: [] }), { crash }),
      environmentStore: (env) => createLowdbDocumentStore(join(envHistoryDir, `${env}.json`), EnvironmentDocument, emptyEnvironmentDocument, { crash }),
      envDir: (env) => environmentPaths.get(env) ?? join(stateDir, 'envs', env),
      recordedEnvironments: () => recordedEnvironmentNames(envHistoryDir),
      publish: (env) => engine?.publishEnvironment(env),
      warn: (message) => engine?.warn(secretBook.mask(message)),
      say: (what) => engine?.say(what),
      // The pipeline exists by the time a deploy reports (deployments.start runs after both are made).
      runDeploy: (runId, deploy, message) => pipeline.setDeploy(runId, deploy, message),
    });
    const pipeline = createPipeline({
      git,
      runner,
      logs,
      releaseRun: (run, workdir, runConfig) => deployments.releaseRun(run, workdir, runConfig, join(runsRoot, run.id, 'metrics.env')),
      reuseRelease: (run, runConfig) => deployments.reuseRun(run, runConfig),
      logger,
      clock,
      store: createJournaledRunsStore(join(stateDir, 'history', 'runs.json'), { crash, compactBytes: compactBytesFromEnv(process.env.AXUM_HISTORY_COMPACT_BYTES, logger) }),
      crash,
      repoRoot,
      worktreeDir: (runId) => join(worktreeRoot, runId),
      // Off unless asked (AXUM_KEEP_WORKTREES=N): on a quiet machine a reset of a kept worktree
      // measured slower than a fresh `git worktree add` (BENCHMARKS.md, commit → spawn).
      keepWorktrees: containment.kind === 'cgroup' ? Math.max(0, Math.min(16, Number(process.env.AXUM_KEEP_WORKTREES) || 0)) : 0,
      metricsFile: (runId) => join(runsRoot, runId, 'metrics.env'),
      baseEnv: scrubbedEnv(),
      maskFile,
      secretBook,
      publish: (run) => engine?.publishRun(run),
      warn: (message) => engine?.warn(secretBook.mask(message)),
    });
    stopPipeline = async () => {
      await pipeline.stop();
      await deployments.stop();
      // Every worktree is gone by now: leave no empty folder behind (rmdir fails if one is not).
      await rmdir(worktreeRoot).catch(() => undefined);
    };
    // SSH targets use the same ssh config and the same connection per host as remote hosts (above).
    const destinationFor = (target: string) => backupDestinationFor(target, { repoRoot, stateDir, sshConfigFile: process.env.AXUM_SSH_CONFIG || null, env: sshEnv, connections: sshMasters });
    backups = createBackups({
      writer: createBackupWriter({ stateDir, repoRoot, now: () => new Date(), destinationFor, crash }),
      lastBackupAt: async (target) => lastBackupAt(destinationFor(target), repoRoot),
      clock,
      logger,
      publish: (list) => engine?.publishBackups(list),
    });
    let refreshConfig = (): Promise<void> | null => null; // the config's readings, made below (they need the engine)
    const liveEngine = createDaemonEngine({
      pipeline,
      deployments,
      backups,
      info,
      configFile: CONFIG_FILE,
      resolvePath: (relative) => resolve(repoRoot, relative),
      logger,
      clock,
      onShutdownRequested: (reason) => void shutdown(reason),
      refreshConfig: () => refreshConfig(),
    });
    engine = liveEngine;
    // `watch.paths`: restarted whenever a valid config changes them.
    const watchPaths = followWatchPaths(repoRoot, () => {
      pipeline.triggerWatch().catch((err: Error) => logger.warn(`watch run: ${err.message}`));
    });
    stopWorkTreeWatchers = () => watchPaths.stop();
    const configReadings = createConfigApplier({ repoRoot, stateDir, configPath, environmentPaths, engine: liveEngine, watchPaths, logger });
    refreshConfig = configReadings.refresh;
    // Whatever the file holds, the daemon starts: on the last valid config when it is not valid.
    await configReadings.loadFirst();
    // Recovery before listening: clients must never see a run "running" that no process runs.
    await killLeftovers({ worktreeRoot, runner, containment, logger, warn: (message) => liveEngine.warn(message) });
    const removedBefore = historyRemoval.take();
    if (removedBefore) liveEngine.warn(removedBefore);
    await deployments.start();
    await pipeline.start();
    // Recovery loaded every environment with records: list them all, the undeclared ones too.
    liveEngine.refreshEnvironments();
    // The shared state starts with the recent history (oldest first, so the newest ends on top).
    for (const run of pipeline.list(RECENT_RUNS).reverse()) liveEngine.publishRun(run);
    transport = await startWsTransport({
      socketPath: paths.socket,
      tcp: listen?.ok ? { host: listen.host, port: listen.port } : null,
      token,
      logger,
      attach: (connection) => liveEngine.attach(connection),
    });
    info.listen = transport.tcpAddress;
    stopWatching = watchConfigFile(configPath, () => void configReadings.reload());
    // Files a checkout made git track under .axum/ overwrote records: stop as when the lock is taken (tracked-state.ts).
    const checkTrackedState = trackedStateWatch(repoRoot, (problem) => void (logger.error(problem), shutdown('git tracks files under .axum', EXIT.failed)));
    const stopRefsWatch = watchGitRefs(repoRoot, () => {
      checkTrackedState();
      pipeline.reconcile().catch((err: Error) => logger.warn(`reconciling branch heads: ${err.message}`));
    });
    // A `current` removed or replaced by hand is an incident while the daemon runs, not only at its next start.
    const stopCurrentWatch = watchCurrentLinks(deployments.currentDirs, () => void deployments.reconcileCurrent().catch((err: Error) => logger.warn(`reconciling current links: ${err.message}`)));
    stopGitWatch = () => (stopCurrentWatch(), stopRefsWatch());
    writeDiscoveryFile(stateDir, { ...liveEngine.state().daemon, listen: transport.tcpAddress });
    logger.info(`listening on ${paths.socket}${transport.tcpAddress ? ` and tcp ${transport.tcpAddress}` : ''}`);
    listened();
  } catch (err) {
    logger.error(`could not start: ${(err as Error).message}`);
    await shutdown('start failed', EXIT.failed);
  }
}

void main();
