import { describe, expect, it } from 'vitest';
import type { ReleaseDiff } from '@axum/protocol';
import { diffLines } from './diff-lines.js';

const diff = (over: Partial<ReleaseDiff>): ReleaseDiff => ({ from: 'rel-2', to: 'rel-1', commits: [], direction: 'same', configKeys: [], artifacts: [], metrics: [], ...over });

describe('the confirmation diff', () => {
  it('says of each config key whether the move adds, removes or changes it', () => {
    const lines = diffLines(
      diff({
        configKeys: ['stage "train", step "fit", variable "HF_HOME"', 'verify gate "accuracy"', 'verify gate "p95_ms"'],
        configChanges: [
          { key: 'stage "train", step "fit", variable "HF_HOME"', change: 'added' },
          { key: 'verify gate "accuracy"', change: 'changed' },
          { key: 'verify gate "p95_ms"', change: 'removed' },
        ],
      }),
    );
    expect(lines).toContain('axum.yml: stage "train", step "fit", variable "HF_HOME" added; verify gate "accuracy" changed; verify gate "p95_ms" removed');
    expect(lines.join('\n')).not.toContain('key change');
  });
  it('shows the gated metrics first, moved or not, then the others that moved', () => {
    const metrics = [
      { name: 'accuracy', from: 0.93, to: 0.91, gated: true },
      { name: 'p95_ms', from: 120, to: 120, gated: true },
      { name: 'loss', from: 0.2, to: 0.2 },
      { name: 'train_accuracy', from: 0.9575, to: 0.955 },
    ];
    expect(diffLines(diff({ metrics }))).toContain('metrics: accuracy 0.93 → 0.91 (gated), p95_ms 120 → 120 (gated), train_accuracy 0.9575 → 0.955');
  });
  it('a daemon that sends only the keys: they differ, nothing more is claimed', () => {
    expect(diffLines(diff({ configKeys: ['verify gate "accuracy"'] }))).toContain('axum.yml: 1 key differs: verify gate "accuracy"');
    expect(diffLines(diff({}))).toContain('axum.yml: unchanged');
  });
  it('a changed file of the same size says its bytes differ; sizes that round alike are given in bytes', () => {
    const lines = diffLines(
      diff({
        artifacts: [
          { path: 'model/weights.bin', change: 'changed', fromSize: 1024, toSize: 1024 },
          { path: 'config/model.json', change: 'changed', fromSize: 1020, toSize: 1049 },
          { path: 'model/big.bin', change: 'changed', fromSize: 2_000_000, toSize: 3_500_000 },
        ],
      }),
    );
    expect(lines).toContain('artifacts: model/weights.bin changed (other bytes, same size 1.0 kB), config/model.json 1020 B → 1049 B, model/big.bin 2.0 MB → 3.5 MB');
  });
});
