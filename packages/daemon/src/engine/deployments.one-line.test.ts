// An incident is one line wherever it is shown (status, the TUI's header): an operation that broke
// off on a tool's whole stderr keeps its first meaningful line there and in the revision's reason,
// and the daemon's log keeps the whole text.
import { afterEach, describe, expect, it } from 'vitest';
import { deployWorlds } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);

/** What `git worktree add` prints when it cannot make the folder: a progress line, then the failure and a hint. */
const GIT_STDERR = "Preparing worktree (detached HEAD 0000002)\nfatal: could not create directory of '/tmp/axum-worktrees/deploy-x': No space left on device\nhint: check the disk\n";

describe('an operation that broke off on a multi-line error', () => {
  it('the incident and the revision say its first meaningful line; the log has every line', async () => {
    const w = world();
    await w.ship();
    w.git.addWorktree = async () => {
      throw new Error(GIT_STDERR);
    };
    await w.ship();
    const incident = w.deployments.state('staging').incident;
    expect(incident).not.toContain('\n');
    expect(incident).toContain("fatal: could not create directory of '/tmp/axum-worktrees/deploy-x': No space left on device");
    expect(incident).toContain('.axum/daemon.log');
    const failed = w.revision('staging', 2);
    expect(failed.message).toBe("error: the operation broke off: fatal: could not create directory of '/tmp/axum-worktrees/deploy-x': No space left on device (the rest in .axum/daemon.log)");
    const logged = w.logger.lines.find((l) => l.startsWith('error: staging #2:'));
    expect(logged).toContain('Preparing worktree (detached HEAD 0000002)');
    expect(logged).toContain('hint: check the disk');
  });
});
