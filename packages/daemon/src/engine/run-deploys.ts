import type { RunDeploy } from '@axum/protocol';
import type { RunRecord } from '../domain/history.js';

/**
 * What became of runs' deploys, as deployments tell the pipeline. Deployments recover before the
 * runs history is loaded, so what they tell before `loaded()` is kept and applied then.
 */
export function createRunDeploys(findRun: (runId: string) => RunRecord | undefined, commit: (run: RunRecord) => Promise<void>, warn: (message: string) => void) {
  let early: Map<string, { deploy: RunDeploy; message: string | null }> | null = new Map();
  const apply = (runId: string, deploy: RunDeploy, told: string | null): void => {
    const run = findRun(runId);
    if (!run) return; // pruned by history.keepRuns: nothing left to tell
    // A run that reused a release did not build it: the revision's `built rel-4; …` reads `reused rel-4, verified on …; …`.
    const lead = run.lead;
    const message = lead && told?.startsWith('built ') ? told.replace(/^built [^;]*/, () => lead) : told;
    const same = run.deploy && run.deploy.env === deploy.env && run.deploy.revision === deploy.revision && run.deploy.outcome === deploy.outcome;
    if (same && (message === null || message === run.message)) return;
    run.deploy = deploy;
    if (message !== null) run.message = message;
    commit(run).catch((err: Error) => warn(`${run.id}: saving its deploy outcome: ${err.message}`));
  };
  return {
    /** The run's record follows (saved, published), with the line saying why. */
    set(runId: string, deploy: RunDeploy, message: string | null): void {
      if (early) early.set(runId, { deploy, message });
      else apply(runId, deploy, message);
    },
    /** The runs history is loaded: what was told before applies now. */
    loaded(): void {
      const told = early ?? new Map();
      early = null;
      for (const [runId, { deploy, message }] of told) apply(runId, deploy, message);
    },
  };
}
