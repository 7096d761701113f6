// Runs held behind a gate the test opens: the train step waits for a file, so commits made
// meanwhile queue, each superseding the one queued before it — a burst of commits, made on cue.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitFiles, startDaemon, waitForRun } from './axum.js';
import { tinyModel } from './tiny-model.js';

/** A repository (made by `newRepo`) whose train step waits for the gate, its daemon started; `open()` lets every run through. */
export async function gatedRepo(newRepo: (options: { config: string }) => string, environments: string): Promise<{ dir: string; open(): void }> {
  const gate = join(mkdtempSync(join(tmpdir(), 'axum-gate-')), 'open');
  const dir = newRepo({ config: tinyModel({ train: ` && while [ ! -e ${gate} ]; do sleep 0.1; done`, environments }) });
  await startDaemon(dir);
  return { dir, open: () => writeFileSync(gate, '') };
}

/**
 * Commits `subjects` one after another while the gate is shut: the first one's run starts, the
 * second queues, and each later one supersedes the one queued before it. Returns the commits.
 */
export async function commitsBehindGate<const T extends readonly string[]>(dir: string, subjects: T): Promise<{ [K in keyof T]: string }> {
  const commits: string[] = [];
  for (const [i, subject] of subjects.entries()) {
    commits.push(commitFiles(dir, subject, { 'data.txt': `0.9${i + 1}\n` }));
    if (i === 0) await waitForRun(dir, (r) => r.commit === commits[0] && r.status === 'running', 'the first run to start');
    else if (i === 1) await waitForRun(dir, (r) => r.commit === commits[1] && r.status === 'queued', 'the second run to queue');
    else await waitForRun(dir, (r) => r.commit === commits[i - 1] && r.status === 'superseded', `the run of "${subjects[i - 1]}" to be superseded`);
  }
  return commits as { [K in keyof T]: string };
}
