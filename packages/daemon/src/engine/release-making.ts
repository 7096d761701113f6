// The push path: a run on an environment's branch succeeded, so its release is made (artifacts,
// metrics, commit, its own config), recorded, and handed on to the environment (release-hand-on.ts).
import type { PipelineConfig, ReleaseView } from '@axum/protocol';
import { parseMetrics } from '../domain/gates.js';
import { MIN_SECRET_LENGTH, maskText } from '../domain/masker.js';
import type { RunRecord } from '../domain/history.js';
import type { DeployState } from './deploy-state.js';
import type { EnvironmentCoordinator } from './environment-coordinator.js';
import { reserveReleaseId } from './release-ids.js';

/** Makes the run's release and hands it on; returns its id, what the hand-on did, and the warnings of its making. */
export async function releaseRun(state: DeployState, environments: EnvironmentCoordinator, run: RunRecord, workdir: string, runConfig: PipelineConfig, metricsFile: string): Promise<{ releaseId: string; message: string; warnings: string[] }> {
  // Serialized with retention: a blob stored for a release not yet recorded must not be collected.
  // A pattern that matched nothing is said on the run (`warning: …`), before what the deploy did.
  const warnings: string[] = [];
  const built = await state.serially(() => makeRelease(state, run, workdir, runConfig, metricsFile, (text) => warnings.push(text)));
  environments.noteTrigger(run.id, run.trigger, run.by);
  const message = await environments.handOn(run.env ?? '', built);
  await environments.prune();
  return { releaseId: built.id, message, warnings };
}

async function makeRelease(state: DeployState, run: RunRecord, workdir: string, runConfig: PipelineConfig, metricsFile: string, warn: (text: string) => void): Promise<ReleaseView> {
  const { deps } = state;
  // Named after the run while its number is above every one used; never an id used before.
  const id = await reserveReleaseId(deps.releases, run.number, state.releasesDoc().releases.map((r) => r.id));
  // A file name is text from outside too: a release would carry a secret in its file list, its
  // folder and its manifest for good. Refused by name before anything of the release is written.
  const secrets = runConfig.secrets.map((name) => (Object.hasOwn(deps.baseEnv, name) ? (deps.baseEnv[name] ?? '') : '')).filter((v) => v.length >= MIN_SECRET_LENGTH);
  const built = await deps.releases.create({
    id,
    runId: run.id,
    commit: run.commit,
    branch: run.branch,
    subject: run.subject,
    workdir,
    patterns: runConfig.artifacts,
    metrics: parseMetrics(await deps.readText(metricsFile)),
    createdAt: state.now(),
    unmatched: (patterns) => warn(`artifacts ${patterns.join(', ')} matched no file`),
    refusePath: (path) => (secrets.some((secret) => path.includes(secret)) ? `the artifact ${maskText(path, secrets)} has a registered secret in its name; rename it` : null),
    config: runConfig, // its own config snapshot
  });
  deps.crash('release.stored');
  state.releasesDoc().releases.push(built);
  await deps.releasesStore.save(state.releasesDoc());
  deps.crash('release.recorded');
  return built;
}
