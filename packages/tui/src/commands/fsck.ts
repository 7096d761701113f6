import { EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions, Output } from './output.js';
import { call, withDaemon } from './runs.js';
import { OPERATION_TIMEOUT_MS } from './environments.js';

const releasesWord = (n: number) => `${n} release${n === 1 ? '' : 's'}`;

/**
 * `axum fsck`: re-hashes every release's stored files (corrupt releases are marked bad) and release
 * folders, and checks every environment's `current` target; `--rebuild` first gives the release
 * index back what the folders' manifests describe; `--repair` puts right what can be (a release
 * folder's changed files from the store, a lost stored file from a folder's intact copy) and says
 * what it did. Exit 1 when anything is still wrong.
 */
export async function fsckCommand(options: GlobalOptions & { rebuild?: boolean; repair?: boolean }, out: Output): Promise<ExitCode> {
  const report = await withDaemon(options, 'axum-fsck', (c) => call(c, 'releases.fsck', { rebuild: options.rebuild === true, repair: options.repair === true }, OPERATION_TIMEOUT_MS));
  const clean = report.problems.length === 0 && report.environments.length === 0;
  if (options.json) {
    out.json(report);
    return clean ? EXIT.ok : EXIT.failed;
  }
  const lines: string[] = [];
  if (report.rebuilt) {
    const { added, kept, withoutManifest } = report.rebuilt;
    lines.push(added.length > 0 ? `release index rebuilt: ${releasesWord(added.length)} added from their folders' manifests (${added.join(', ')}); ${kept} already known, marks kept` : `release index: nothing to rebuild (${releasesWord(kept)} known)`);
    if (withoutManifest.length > 0) lines.push(`  no readable manifest, not rebuilt: ${withoutManifest.join(', ')}`);
  }
  if (report.repaired.length > 0) lines.push(`repaired ${report.repaired.length}:`, ...report.repaired.map((r) => `  ${r.releaseId}: ${r.repaired}`));
  if (clean) lines.push(`${releasesWord(report.releases)} checked: every stored file and release folder matches its sha256, every current names a complete release, the one its history says is live`);
  if (report.problems.length > 0) lines.push(`${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in ${releasesWord(report.releases)} (a corrupt stored file marks its release bad):`, ...report.problems.map((p) => `  ${p.releaseId}: ${p.problem}`));
  if (report.environments.length > 0) lines.push(`${report.environments.length} environment${report.environments.length === 1 ? '' : 's'} with an incident:`, ...report.environments.map((e) => `  ${e.env}: ${e.problem}`));
  out.lines(lines);
  return clean ? EXIT.ok : EXIT.failed;
}
