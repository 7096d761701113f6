import { agoText, backupAge, markTime, type BackupTargetStatus, type DaemonState, type HostView } from '@axum/protocol';
import { environmentCells, pauseLine } from '../state/selectors.js';
import { attach } from '../client/daemon-launcher.js';
import { findRepositoryRoot, requireConfigFile } from '../client/repository.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { knownEnvironment } from './environment-names.js';
import type { GlobalOptions, Output } from './output.js';
import { outputWidth, table } from './table.js';

/** `axum status [ENV]`: daemon, environments (or the one named) and their live revision, active runs. */
export async function statusCommand(options: GlobalOptions, out: Output, envName?: string): Promise<ExitCode> {
  const repoRoot = findRepositoryRoot(options.repo);
  requireConfigFile(repoRoot);
  const connection = await attach(repoRoot, 'axum-status');
  let state = connection.welcomeState;
  connection.close();
  if (envName !== undefined) state = { ...state, environments: [knownEnvironment(connection, envName)] };
  if (options.json) out.json(statusJson(state));
  else out.lines(statusLines(state));
  return EXIT.ok;
}

/** The JSON document of `axum status --json` (docs/commands.md; the fields scripts rely on, extended). */
export function statusJson(state: DaemonState): unknown {
  const { pid, version, socket, tokenFile, listen } = state.daemon;
  return {
    daemon: { pid, version, socket, tokenFile, listen, repo: state.daemon.repo, startedAt: state.daemon.startedAt },
    config: state.config,
    environments: state.environments.map((env) => ({
      name: env.name,
      branch: env.branch,
      pinned: env.pinned,
      awaitingApproval: env.awaitingApproval,
      live: env.live,
      serving: env.serving,
      lastKnownGood: env.lastKnownGood,
      rollbackTarget: env.rollbackTarget,
      heldReleaseId: env.heldReleaseId,
      servingBad: env.servingBad ?? null,
      paused: env.paused,
      pendingReleaseId: env.pendingReleaseId,
      queuedReleaseId: env.queuedReleaseId ?? null,
      operation: env.operation,
      incident: env.incident,
      // The HEALTH column's facts: the live revision's key metric beside the LKG's, and its newest monitor check.
      liveMetric: env.liveMetric,
      lastCheck: env.lastCheck,
      monitorOff: env.monitorOff ?? null,
      protected: env.protected,
      approval: env.approval,
      path: env.path,
      inConfig: env.inConfig,
      // Remote hosts (docs/remote-environments.md): each one's release and how the last operation went there.
      hosts: env.hosts ?? [],
    })),
    runs: state.runs.filter((run) => run.status === 'running' || run.status === 'queued'),
    warnings: state.warnings,
    clients: state.clients,
    // Who else is attached, and what clients did (the TUI's header and activity log), for a script as for a person.
    attached: state.attached,
    activity: state.activity,
    // Per target: when its newest backup was written, its age, and a warning when stale or failing.
    backups: state.backups.map((b) => {
      const { stale, warning } = backupAge(b, Date.now());
      return { target: b.target, lastBackupAt: b.lastBackupAt, ageMs: b.lastBackupAt ? Date.now() - Date.parse(b.lastBackupAt) : null, everyMs: b.everyMs, stale, error: b.error, warning };
    }),
  };
}

/** Plain lines for a terminal or a pipe, the table fitted to `width`; the TUI's non-TTY mode prints the same. */
export function statusLines(state: DaemonState, width: number | null = outputWidth(), nowMs = Date.now()): string[] {
  const { daemon, config } = state;
  // Times as a person reads them (how long ago); --json keeps the recorded ISO times.
  const ago = (iso: string) => agoText(iso, nowMs);
  const lines = [
    `daemon       pid ${daemon.pid} · v${daemon.version} · ${state.clients} client${state.clients === 1 ? '' : 's'} attached`,
    `socket       ${daemon.socket}${daemon.listen ? ` · tcp ${daemon.listen}` : ''}`,
    `repository   ${daemon.repo}`,
  ];
  if (config.valid) lines.push(`config       ${config.file} ok`);
  else {
    lines.push(`config       ${config.file} INVALID${config.loadedAt ? ` (using the last valid version, ${loadedText(config.loadedAt, daemon.startedAt, nowMs)})` : ' (no valid version ever loaded: nothing runs)'}:`);
    for (const p of config.errors) lines.push(`  ${p.file}:${p.line}:${p.col}: ${p.message}`);
  }
  for (const warning of state.warnings) lines.push(`warning      ${warning}`);
  lines.push(...backupStatusLines(state.backups, nowMs));
  lines.push('');
  // An invalid file may well declare environments: the daemon just has none it can use yet.
  if (state.environments.length === 0) lines.push(config.valid ? `no environments (add some under \`environments:\` in ${config.file})` : `no environments yet: ${config.file} is invalid (above; axum validate checks it as you fix it)`);
  else {
    const rows = state.environments.map((env) => Object.values(environmentCells(env)));
    // Flags, health and branch give way; names, revisions, releases and commits stay whole.
    lines.push(...table(['ENVIRONMENT', 'BRANCH', 'LIVE', 'RELEASE', 'COMMIT', 'LKG', 'HEALTH', 'FLAGS'], rows, width, { elide: [{ column: 7 }, { column: 6 }, { column: 1 }] }));
  }
  for (const env of state.environments) if (env.paused) lines.push(`paused       ${pauseLine(env)}`);
  // Left out of the axum.yml in use, an environment keeps what was built for it: said, with when it goes.
  for (const env of state.environments) if (env.queuedReleaseId && !env.inConfig) lines.push(`queued       ${env.name}: ${env.queuedReleaseId} deploys when axum.yml declares ${env.name} again`);
  for (const env of state.environments) if (env.incident) lines.push(`incident     ${env.name}: ${env.incident}`);
  for (const env of state.environments) if (env.monitorOff) lines.push(`monitor      ${env.name}: not monitored: ${env.monitorOff}`);
  for (const env of state.environments) lines.push(...hostLines(env.name, env.hosts ?? []));
  const active = state.runs.filter((run) => run.status === 'running' || run.status === 'queued');
  lines.push('', active.length === 0 ? 'runs         none active' : `runs         ${active.length} active`);
  for (const run of active) lines.push(`  ${run.id} ${run.status} ${run.branch} ${run.commit.slice(0, 8)}${run.startedAt ? ` · started ${ago(run.startedAt)}` : ` · queued ${ago(run.createdAt)}`}`);
  lines.push(...interruptedRunLines(state.runs));
  return lines;
}

/**
 * When the config in use was loaded. A daemon started on an invalid file runs on the version an
 * earlier daemon recorded: `20s ago` would read as this daemon's load, so that one is said as such.
 */
export function loadedText(loadedAt: string, daemonStartedAt: string, nowMs: number): string {
  return Date.parse(loadedAt) < Date.parse(daemonStartedAt) ? `loaded by an earlier daemon at ${markTime(loadedAt)}` : `loaded ${agoText(loadedAt, nowMs)}`;
}

/**
 * A branch whose newest run was interrupted (a daemon restart) has its head unbuilt, and an
 * interrupted run is never retried by itself: one line per such branch with the command that runs it.
 */
export function interruptedRunLines(runs: DaemonState['runs']): string[] {
  const newest = new Map<string, DaemonState['runs'][number]>();
  // A watch run builds some stages of the work tree, not the branch: nothing of the branch is left unbuilt.
  for (const run of runs) if (run.trigger !== 'watch' && (newest.get(run.branch)?.number ?? 0) < run.number) newest.set(run.branch, run);
  return [...newest.values()]
    .filter((run) => run.status === 'interrupted')
    .map((run) => `  ${run.id} interrupted ${run.branch} ${run.commit.slice(0, 8)} · not run again by itself: ${run.branch === '(detached)' ? `axum run --commit ${run.commit.slice(0, 8)}` : `axum run --branch ${run.branch}`} runs it`);
}

/** One line per remote host of an environment: the release its `current` names, and what failed there. */
export function hostLines(env: string, hosts: readonly HostView[]): string[] {
  return hosts.map((h) => {
    const where = h.releaseId ? `on ${h.releaseId}` : 'no release';
    const how = h.state === 'ok' ? 'ok' : h.state === 'unknown' ? 'not reached yet' : `FAILED: ${h.reason ?? 'unknown reason'}`;
    return `host         ${env} ${h.host}: ${where} · ${how}`;
  });
}

/** One line per backup target: its age, and a warning when stale (older than twice `every`) or failing. */
export function backupStatusLines(backups: readonly BackupTargetStatus[], nowMs: number): string[] {
  return backups.map((b) => {
    const { age, warning } = backupAge(b, nowMs);
    return `backup       ${b.target}: ${age !== 'never' ? `last ${age}` : b.error !== null ? 'no backup known' : 'never backed up'}${warning ? `  WARNING: ${warning}` : ''}`;
  });
}

