// Trains the model from data/train.csv and writes model/weights.json (a build output: not committed).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readRows, train, accuracy } from './model.mjs';

const settings = JSON.parse(readFileSync('config/train.json', 'utf8'));
const rows = readRows('data/train.csv');
const model = train(rows, settings.epochs);
mkdirSync('model', { recursive: true });
writeFileSync('model/weights.json', JSON.stringify({ ...model, epochs: settings.epochs }, null, 2) + '\n');
console.log(`trained ${settings.epochs} epochs on ${rows.length} rows: training accuracy ${accuracy(model, rows).toFixed(3)}`);
