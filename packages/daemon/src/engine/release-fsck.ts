// `axum fsck` (RELIABILITY.md, "Release integrity"): every release's stored files and folder
// re-hashed, every environment's `current` checked; with `repair`, what can be put right is: a
// stored file lost or corrupt given back from a release folder's intact copy, a folder whose files
// changed (the live one too) made whole again from the store. Nothing is repaired without asking.
import type { FsckReport, ReleaseView } from '@axum/protocol';
import { liveRevision } from '../domain/revisions.js';
import type { DeployState } from './deploy-state.js';

type Folder = { materialized: boolean; problem: string | null };
const REPAIR_FOLDER = 'axum fsck --repair materializes it again from the store';

/** Every environment declared by the config in use, with records, or with a loaded document (ARCHITECTURE.md, glossary: Records). */
export const environmentsOf = (state: DeployState): string[] => [...new Set([...state.environments(), ...state.docs.keys()])];

/** Runs fsck; `raise` says an environment's problem as its incident (unless `current` moved on). */
export async function runFsck(
  state: DeployState,
  repair: boolean,
  raise: (env: string, named: string | null, incident: string) => Promise<void>,
  compare: (env: string) => Promise<string | null>,
): Promise<Omit<FsckReport, 'rebuilt'>> {
  const { deps } = state;
  const problems: FsckReport['problems'] = [];
  const repaired: FsckReport['repaired'] = [];
  const { releases } = state.releasesDoc();
  const folders = new Map<string, Folder>();
  /** The stored files' problem (null: whole), and a read error of the machine, which marks nothing. */
  const storeProblem = async (item: ReleaseView, folder: Folder) => {
    let unreadable: string | null = null;
    const hashed = () =>
      deps.releases.verifyHashes(item).catch((err: Error) => {
        unreadable = err.message;
        return null;
      });
    const problem = folder.problem === null ? ((await deps.releases.check(item)) ?? (await hashed())) : await hashed();
    return { problem, unreadable: unreadable as string | null };
  };
  /** Puts the folder back from the store: what was done, or why it could not be. */
  const repairFolder = async (item: ReleaseView): Promise<Folder> => {
    const paths = await deps.releases.repairFolder(item).catch((err: Error) => err);
    const folder = await deps.releases.checkFolder(item, true);
    if (paths instanceof Error) return { ...folder, problem: `${folder.problem ?? 'its folder'}; the repair failed: ${paths.message}` };
    if (!folder.problem) repaired.push({ releaseId: item.id, repaired: paths.length > 0 ? `materialized ${paths.join(', ')} again from the store` : 'stamped its folder anew (its files were whole)' });
    return folder;
  };

  for (const item of releases) {
    let folder = await deps.releases.checkFolder(item, true);
    let { problem: store, unreadable } = await storeProblem(item, folder);
    if (store) {
      // A stored file a folder still holds whole: given back with `repair`, else said it can be.
      const restore = await deps.releases.restoreBlobs(item, releases, !repair).catch(() => null);
      if (restore && restore.restored.length > 0 && restore.lost.length === 0) {
        const from = [...new Set(restore.restored.map((r) => r.from))].join(', ');
        if (repair) {
          ({ problem: store, unreadable } = await storeProblem(item, folder));
          const stays = state.release(item.id)?.bad ? `; its bad mark stays (axum mark ${item.id} good clears it)` : '';
          if (!store) repaired.push({ releaseId: item.id, repaired: `restored ${restore.restored.map((r) => r.path).join(', ')} to the store from the release folder of ${from}${stays}` });
        } else store = `${store} (axum fsck --repair restores it from the release folder of ${from})`;
      }
    }
    // A read error of the machine is reported, never a mark: the release may be whole.
    if (unreadable) problems.push({ releaseId: item.id, problem: unreadable });
    if (store) {
      problems.push({ releaseId: item.id, problem: store });
      await state.markBad(item.id, 'axum fsck', store); // the store is corrupt: the release is
    } else if (folder.problem && !unreadable && repair) folder = await repairFolder(item);
    if (folder.problem && folder.problem !== store) problems.push({ releaseId: item.id, problem: store || !folder.materialized ? folder.problem : `${folder.problem} (${REPAIR_FOLDER})` });
    folders.set(item.id, folder);
  }

  const environments: FsckReport['environments'] = [];
  for (const env of environmentsOf(state)) {
    const named = await deps.releases.currentReleaseId(state.envDir(env));
    const doc = await state.docOf(env);
    const live = liveRevision(doc);
    let problem: string | null = null;
    if (named === null) {
      if (live) problem = `current names nothing, while #${live.revision} (${live.releaseId}) is live`;
    } else {
      const release = state.release(named);
      let folder = release ? (folders.get(named) ?? (await deps.releases.checkFolder(release, true))) : null;
      // The folder `current` names, gone: made again when its stored files are whole.
      if (release && folder && !folder.materialized && repair && !problems.some((p) => p.releaseId === named)) folder = await repairFolder(release);
      if (!release) problem = `current names ${named}, which no recorded release is (axum fsck --rebuild)`;
      else if (!folder?.materialized) problem = `current names ${named}, whose folder is missing or incomplete${repair ? '' : ` (${REPAIR_FOLDER} when its stored files are whole)`}`;
      else if (folder.problem) problem = `current names ${named}: ${folder.problem}`;
    }
    if (problem) {
      environments.push({ env, problem });
      await raise(env, named, problem);
    } else if (named !== null && doc.incident?.startsWith(`current names ${named}`) && repaired.some((r) => r.releaseId === named)) {
      // The folder's incident had this folder as its object, and it is whole again.
      doc.incident = null;
      deps.logger.info(`${env}: the folder of ${named} was repaired; its incident is closed`);
      await state.persist(env);
    }
    // With its folder whole, `current` against the history, as the reconciler compares them (a link
    // moved by hand to another release): reported and left as the incident, never moved — which side
    // is right is for a person to say, with the deploy or rollback the incident names. A disagreement
    // seen while a repaired folder was gone is compared again so, not left standing.
    const disagreement = problem ? null : await compare(env);
    if (disagreement !== null) environments.push({ env, problem: disagreement });
  }
  return { releases: releases.length, problems, environments, repaired };
}
