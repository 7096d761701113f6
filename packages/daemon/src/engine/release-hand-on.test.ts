// A release whose commit left the environment's branch (reset, amended or force-pushed away while
// its run built) goes on nowhere: not deployed, not held by a pin, and its run says why.
import { afterEach, describe, expect, it } from 'vitest';
import { deployWorlds, type DeployWorld } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
/** The commit `build` gives run N (deploy-world's numbering). */
const commitOf = (n: number) => n.toString(16).padStart(40, '0');

/** staging's head is `head`; the commits in `onBranch` are reachable from it, no other. */
function branchAt(w: DeployWorld, head: string, onBranch: readonly string[]): void {
  w.git.heads = async () => new Map([['staging', head]]);
  w.git.isAncestor = async (ancestor, commit) => (commit === head && onBranch.includes(ancestor) ? 'ancestor' : 'not-ancestor');
}

describe('a release whose commit left its branch', () => {
  it('is not deployed: its run is told superseded, with why, and the event log says so', async () => {
    const said: string[] = [];
    const w = world(undefined, undefined, { say: (what) => void said.push(what) });
    branchAt(w, commitOf(1), [commitOf(1)]);
    await w.ship();
    expect(w.told.get('run-1')).toMatchObject({ outcome: 'live' });

    branchAt(w, commitOf(1), [commitOf(1)]); // run-2's commit was reset away: the head is back at run-1's
    await w.ship();
    const why = `${commitOf(2).slice(0, 8)} is no longer on staging, whose head ${commitOf(1).slice(0, 8)} does not contain it (reset, amended or force-pushed away)`;
    expect(w.told.get('run-2')).toMatchObject({ env: 'staging', revision: null, outcome: 'superseded', message: `built rel-2; not deployed: ${why}` });
    expect(w.revisions('staging').map((r) => r.releaseId)).toEqual(['rel-1']);
    expect(said).toEqual([`run-2: rel-2 not deployed to staging: ${why}`]);

    // A commit still on the branch (the head, or one behind it) deploys as before.
    branchAt(w, commitOf(4), [commitOf(3), commitOf(4)]);
    await w.ship();
    expect(w.told.get('run-3')).toMatchObject({ outcome: 'live' });
  });

  it('is not held by a pin either: unpin has nothing of it to deploy', async () => {
    const w = world();
    branchAt(w, commitOf(1), [commitOf(1)]);
    await w.ship();
    await w.deployments.pin('staging', true, 'ana');
    await w.ship(); // run-2, whose commit is not on staging
    expect(w.told.get('run-2')).toMatchObject({ outcome: 'superseded' });
    expect(await w.deployments.pin('staging', false, 'ana')).toMatchObject({ pinned: false, deployed: null });
  });

  it('is deployed when git cannot tell: a git failure never drops a valid run, and the event log warns in one line', async () => {
    const said: string[] = [];
    const w = world(undefined, undefined, { say: (what) => void said.push(what) });
    branchAt(w, commitOf(1), [commitOf(1)]);
    await w.ship();
    // run-2's commit is not the head, and git fails to say whether the head contains it.
    w.git.isAncestor = async () => 'unknown';
    await w.ship();
    expect(w.told.get('run-2')).toMatchObject({ env: 'staging', outcome: 'live' });
    expect(w.revisions('staging').map((r) => r.releaseId)).toEqual(['rel-1', 'rel-2']);
    const doubt = `git could not tell whether ${commitOf(2).slice(0, 8)} is still on staging (its head is ${commitOf(1).slice(0, 8)})`;
    expect(said).toEqual([`run-2: warning: ${doubt}; deploying rel-2 to staging as usual`]);
    expect(w.logger.lines).toContain(`warn: staging: ${doubt}`);
  });
});
