// Reconciliation (ARCHITECTURE.md, glossary: Live), at every start and after every operation: for
// each environment with records, `current` must name the release history says is serving. A
// disagreement becomes the environment's incident with both facts; nothing is repaired — which
// side is right (a folder removed by hand, a link moved by hand, a history file restored from a
// backup) is for a person to decide, with `axum rollback` or `axum deploy`.
import { DISAGREEMENT, currentDisagreement } from '../domain/reconciliation.js';
import { servingRevision } from '../domain/revisions.js';
import type { DeployState } from './deploy-state.js';

/**
 * Compares one environment's `current` with its history and records the outcome. `busy` says an
 * operation holds the environment: its pointer may be mid-move, and its own end reconciles it.
 * Returns the disagreement, or null.
 */
export async function reconcileEnvironment(state: DeployState, env: string, busy: (env: string) => boolean): Promise<string | null> {
  if (busy(env)) return null;
  const doc = await state.docOf(env);
  const current = await state.deps.releases.currentTarget(state.envDir(env));
  if (doc.revisions.length === 0 && current === null) return null; // no records, nothing to compare
  const disagreement = currentDisagreement(servingRevision(doc), current, env);
  if (busy(env)) return null; // an operation began while `current` was read
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
export async function reconcileEnvironments(state: DeployState, busy: (env: string) => boolean): Promise<void> {
  for (const env of [...state.docs.keys()]) {
    await reconcileEnvironment(state, env, busy).catch((err: Error) => state.deps.logger.warn(`${env}: reconciling current with its history: ${err.message}`));
  }
}
