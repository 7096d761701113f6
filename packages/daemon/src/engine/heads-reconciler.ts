// Reconciling git's branch heads with the ones the daemon last saw: the watcher's hints, the 5 s
// tick, a config that declares a branch again and `axum run` all come here, one at a time.
import type { PipelineConfig } from '@axum/protocol';
import { activeRunOf } from '../domain/run-queue.js';
import type { RunRecord, RunsDocument } from '../domain/history.js';
import type { RunAsk } from './run-enqueue.js';
import type { GitPort, Logger } from './ports.js';

/** At most this many commits a head passed over are listed as superseded runs (a push of a long branch lists its newest). */
const SKIPPED_COMMITS_SHOWN = 20;

/** The branches that feed an environment of `config`: the ones the daemon watches. */
export function fedBranches(config: PipelineConfig | null): Set<string> {
  return new Set(Object.values(config?.environments ?? {}).map((env) => env.branch));
}

export interface HeadsReconciler {
  /** Compares the heads with the last seen ones: a moved head of a fed branch is queued. One at a time. */
  reconcile(): Promise<void>;
  /** The config in use changed: a branch it feeds that the one before did not is caught up at once. */
  configChanged(before: PipelineConfig | null, after: PipelineConfig): void;
}

/** Reconciliation over the pipeline's runs history and queue (`loaded()` is null before the history is). */
export function createHeadsReconciler(ctx: {
  git: GitPort;
  logger: Logger;
  loaded(): RunsDocument | null;
  config(): PipelineConfig | null;
  commit(run: RunRecord | null): Promise<void>;
  enqueue(branch: string, sha: string, trigger: RunRecord['trigger'], stages: string[] | null, asked: RunAsk): Promise<RunRecord>;
  /** Records commits a head passed over as superseded by a run queued already (`axum run` of the new head came first). */
  passOver(run: RunRecord, shas: readonly string[]): Promise<void>;
  schedule(): void;
  stopping(): boolean;
}): HeadsReconciler {
  let reconciling: Promise<void> | null = null;
  let again = false;

  const reconcileOnce = async (): Promise<void> => {
    const history = ctx.loaded();
    if (!history) return;
    const heads = await ctx.git.heads();
    if (history.heads === null) {
      // First start in this repository: take the current heads as seen and run nothing.
      history.heads = Object.fromEntries(heads);
      await ctx.commit(null);
      return;
    }
    // The working tree's axum.yml decides what is watched. A branch it does not feed keeps the
    // head last seen while one did: seen is what was watched, so when a config declares the branch
    // again (another branch checked out, the daemon restarted meanwhile or not) the head that moved
    // meanwhile is queued, as after a start, with the commits it passed over listed.
    const fed = fedBranches(ctx.config());
    let changed = false;
    for (const [branch, sha] of heads) {
      const before = history.heads[branch];
      if (before === sha || !fed.has(branch)) continue;
      history.heads[branch] = sha;
      changed = true;
      // Commits made faster than the hints came (or while the daemon was down, or while no
      // environment was fed by the branch) are never silent: each is a run superseded by the head's
      // from the start, saved with it.
      const skipped = before ? await ctx.git.skippedCommits(before, sha, SKIPPED_COMMITS_SHOWN).catch(() => []) : [];
      // `axum run` of this very head may have come before its hint: that run is the head's run.
      const started = activeRunOf(history.runs, { branch, commit: sha, force: false });
      if (started) await ctx.passOver(started, skipped);
      else await ctx.enqueue(branch, sha, 'push', null, { passedOver: skipped });
    }
    for (const branch of Object.keys(history.heads)) {
      if (!heads.has(branch)) {
        delete history.heads[branch];
        changed = true;
      }
    }
    if (changed) await ctx.commit(null);
    ctx.schedule();
  };

  const reconcile = (): Promise<void> => {
    // One reconciliation at a time; a hint that comes during one asks for one more after it (the
    // watcher calls at a ref's first event, so the last move may land while the heads are read).
    if (reconciling) {
      again = true;
      return reconciling;
    }
    reconciling = (async () => {
      try {
        do {
          again = false;
          await reconcileOnce();
        } while (again && !ctx.stopping());
      } finally {
        reconciling = null;
      }
    })();
    return reconciling;
  };

  return {
    reconcile,
    configChanged(before, after) {
      const was = fedBranches(before);
      if (ctx.loaded() === null || [...fedBranches(after)].every((branch) => was.has(branch))) return;
      // Not left to the next hint: checking a branch out moves no branch, and the file may change after HEAD's hint.
      void reconcile().catch((err: Error) => ctx.logger.warn(`reconciling branch heads: ${err.message}`));
    },
  };
}
