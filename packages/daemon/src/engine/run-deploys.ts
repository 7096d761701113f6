import type { RunDeploy } from '@axum/protocol';
import type { RunRecord } from '../domain/history.js';

/** What a reusing run's lead says of a release no revision has verified yet: true until one does. */
export const NOT_VERIFIED_YET = ' (not verified anywhere yet)';

/**
 * What became of runs' deploys, as deployments tell the pipeline. A run's deploy is the revision it
 * made or found live (`ENV#N`): what the revision comes to is told to its own run and to every run
 * pointing at it (a later run of the same release, live there already), so runs of one revision
 * agree. Deployments recover before the runs history is loaded, so what they tell before `loaded()`
 * is kept and applied then.
 */
export function createRunDeploys(runs: () => readonly RunRecord[], findRun: (runId: string) => RunRecord | undefined, commit: (run: RunRecord) => Promise<void>, warn: (message: string) => void) {
  let early: { runId: string | null; deploy: RunDeploy; message: string | null }[] | null = [];
  const applyTo = (run: RunRecord, deploy: RunDeploy, told: string | null): void => {
    // Live is verified: the lead's `not verified anywhere yet`, written before, is dropped for good.
    if (deploy.outcome === 'live' && run.lead?.includes(NOT_VERIFIED_YET)) run.lead = run.lead.replace(NOT_VERIFIED_YET, '');
    // A run that reused a release did not build it: the revision's `built rel-4; …` reads `reused rel-4, verified on …; …`.
    const lead = run.lead;
    const message = lead && told?.startsWith('built ') ? told.replace(/^built [^;]*/, () => lead) : told;
    const same = run.deploy && run.deploy.env === deploy.env && run.deploy.revision === deploy.revision && run.deploy.outcome === deploy.outcome;
    if (same && (message === null || message === run.message)) return;
    run.deploy = deploy;
    if (message !== null) run.message = message;
    commit(run).catch((err: Error) => warn(`${run.id}: saving its deploy outcome: ${err.message}`));
  };
  const apply = (runId: string | null, deploy: RunDeploy, told: string | null): void => {
    const run = runId === null ? undefined : findRun(runId); // undefined: pruned by history.keepRuns, or none
    if (run) applyTo(run, deploy, told);
    if (deploy.revision === null) return;
    for (const other of runs()) {
      if (other === run || other.deploy?.env !== deploy.env || other.deploy.revision !== deploy.revision) continue;
      applyTo(other, deploy, told);
    }
  };
  return {
    /** The run's record follows (saved, published), with the line saying why; so do the other runs of that revision. */
    set(runId: string | null, deploy: RunDeploy, message: string | null): void {
      if (early) early.push({ runId, deploy, message });
      else apply(runId, deploy, message);
    },
    /** The runs history is loaded: what was told before applies now. */
    loaded(): void {
      const told = early ?? [];
      early = null;
      for (const { runId, deploy, message } of told) apply(runId, deploy, message);
    },
  };
}
