// What a move from the live release to another changes (commits, config, artifacts, metrics), in
// the lines both confirmations show: the TUI's dialog and the CLI's prompt.
import type { ReleaseDiff } from '@axum/protocol';

/** The pre-action diff of a rollback, deploy, approve or promote, as lines for the confirmation. */
export function diffLines(diff: ReleaseDiff): string[] {
  const size = (n: number | null) => (n === null ? '—' : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);
  const lines: string[] = [];
  if (diff.direction === 'same') lines.push('code: the same commit');
  else {
    const verb = diff.direction === 'back' ? 'takes back' : diff.direction === 'forward' ? 'brings in' : 'switches across';
    lines.push(`code: ${verb} ${diff.commits.length}${diff.commits.length === 50 ? '+' : ''} commit${diff.commits.length === 1 ? '' : 's'}${diff.commits.length ? `: ${diff.commits.slice(0, 3).join(' · ')}${diff.commits.length > 3 ? ' …' : ''}` : ''}`);
  }
  lines.push(configLine(diff));
  lines.push(
    diff.artifacts.length
      ? `artifacts: ${diff.artifacts.slice(0, 3).map((a) => `${a.path} ${a.change === 'changed' ? sizeChange(a.fromSize, a.toSize, size) : a.change}`).join(', ')}${diff.artifacts.length > 3 ? ` (+${diff.artifacts.length - 3})` : ''}`
      : 'artifacts: identical (same sha256)',
  );
  // The gated metrics first, moved or not (the numbers the move is judged by), then the others that moved.
  const shown = diff.metrics.filter((m) => m.gated === true || m.from !== m.to);
  if (shown.length) lines.push(`metrics: ${shown.map((m) => `${m.name} ${m.from ?? '—'} → ${m.to ?? '—'}${m.gated ? ' (gated)' : ''}`).join(', ')}`);
  return lines;
}

/**
 * A changed file's sizes. A change is a different sha256, so `1.0 kB → 1.0 kB` would read as no
 * change: the same size says "other bytes", and sizes that round alike are given in bytes.
 */
function sizeChange(from: number | null, to: number | null, size: (n: number | null) => string): string {
  if (from !== null && from === to) return `changed (other bytes, same size ${size(from)})`;
  if (size(from) === size(to)) return `${from ?? '—'} B → ${to ?? '—'} B`;
  return `${size(from)} → ${size(to)}`;
}

/**
 * `axum.yml: stage "train", variable "HF_HOME" added; verify gate "accuracy" changed`: each key with
 * what happens to it (a daemon that does not say, just the keys). A key's words hold commas, so keys
 * are set apart by semicolons.
 */
function configLine(diff: ReleaseDiff): string {
  if (diff.configKeys.length === 0) return 'axum.yml: unchanged';
  const keys = diff.configChanges ? diff.configChanges.map((c) => `${c.key} ${c.change}`) : diff.configKeys;
  const more = keys.length > 4 ? ` (+${keys.length - 4})` : '';
  return `axum.yml: ${diff.configChanges ? '' : `${keys.length} ${keys.length === 1 ? 'key differs' : 'keys differ'}: `}${keys.slice(0, 4).join('; ')}${more}`;
}
