// Reconciliation (ARCHITECTURE.md, glossary: Live), at every start and after every operation: for
// each environment with records, `current` must name the release history says is serving. A
// disagreement becomes the environment's incident with both facts; nothing is repaired — which
// side is right (a folder removed by hand, a link moved by hand, a history file restored from a
// backup) is for a person to decide, with `axum rollback` or `axum deploy`.
import { DISAGREEMENT, currentDisagreement } from '../domain/reconciliation.js';
import { servingRevision } from '../domain/revisions.js';
import type { DeployState } from './deploy-state.js';

/**
 * What the daemon itself is doing to an environment's `current`: null while an operation holds it or
 * a pointer move of the daemon's is under way; otherwise a token that is another one as soon as an
 * operation or a move began or ended since. Its own moves are never a foreign change.
 */
export type Quiet = (env: string) => string | null;

/**
 * Compares one environment's `current` with its history and records the outcome. Nothing is
 * compared while the daemon moves the pointer itself (`quiet` is null: its own end reconciles it),
 * and a comparison is dropped when an operation or a move began or ended while `current` was read:
 * the link read and the history read would then be of two different moments (the next hint or
 * interval compares again). Returns the disagreement, or null.
 */
export async function reconcileEnvironment(state: DeployState, env: string, quiet: Quiet): Promise<string | null> {
  const before = quiet(env);
  if (before === null) return null;
  const doc = await state.docOf(env);
  const current = await state.deps.releases.currentTarget(state.envDir(env));
  if (doc.revisions.length === 0 && current === null) return null; // no records, nothing to compare
  const disagreement = currentDisagreement(servingRevision(doc), current, env);
  if (quiet(env) !== before) return null; // the daemon moved it (or began to) while it was read
  if (disagreement !== null && doc.incident !== disagreement) {
    doc.incident = disagreement;
    state.deps.logger.warn(`${env}: ${disagreement}`);
    await state.persist(env);
  } else if (disagreement === null && doc.incident?.startsWith(DISAGREEMENT)) {
    // They agree again (someone put it right by hand or with an operation): the incident has no object.
    doc.incident = null;
    state.deps.logger.info(`${env}: current and history agree again`);
    await state.persist(env);
  }
  return disagreement;
}

/** Every environment whose records are loaded, one after the other; one that cannot be read does not stop the rest. */
export async function reconcileEnvironments(state: DeployState, quiet: Quiet): Promise<void> {
  for (const env of [...state.docs.keys()]) {
    await reconcileEnvironment(state, env, quiet).catch((err: Error) => state.deps.logger.warn(`${env}: reconciling current with its history: ${err.message}`));
  }
}
