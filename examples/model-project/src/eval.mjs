// Verification: scores the model that `current` points at on the holdout set and times predictions.
// Writes accuracy and p95_ms to $AXUM_METRICS (name=value lines), where axum.yml's gates read them.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accuracy, predict, readRows } from './model.mjs';

const modelDir = process.env.AXUM_CURRENT ?? '.';
const model = JSON.parse(readFileSync(join(modelDir, 'model', 'weights.json'), 'utf8'));
const rows = readRows('data/holdout.csv');
const times = [];
for (const [x1, x2] of rows) {
  const start = process.hrtime.bigint();
  predict(model, x1, x2);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
times.sort((a, b) => a - b);
const p95 = times[Math.floor(times.length * 0.95)] ?? 0;
const acc = accuracy(model, rows);
console.log(`holdout accuracy ${acc.toFixed(3)}, p95 ${p95.toFixed(4)} ms`);
if (process.env.AXUM_METRICS) appendFileSync(process.env.AXUM_METRICS, `accuracy=${acc.toFixed(4)}\np95_ms=${p95.toFixed(4)}\n`);
