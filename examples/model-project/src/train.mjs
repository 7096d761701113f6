// Trains the model from data/train.csv and writes model/weights.json (a build output: not committed).
// config/train.json: { "epochs": N } and optionally "log_x1": true (see model.mjs, features).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readRows, train, accuracy } from './model.mjs';

const settings = JSON.parse(readFileSync('config/train.json', 'utf8'));
const rows = readRows('data/train.csv');
// log_x1: x1 log-scaled, offset just past the smallest x1 in the training data (so its log exists).
const x1LogOffset = settings.log_x1 ? 0.01 - Math.min(...rows.map(([x1]) => x1)) : undefined;
const model = train(rows, settings.epochs, { x1LogOffset });
mkdirSync('model', { recursive: true });
writeFileSync('model/weights.json', JSON.stringify({ ...model, epochs: settings.epochs }, null, 2) + '\n');
console.log(`trained ${settings.epochs} epochs on ${rows.length} rows: training accuracy ${accuracy(model, rows).toFixed(3)}`);
