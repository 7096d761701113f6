// A logistic regression small enough to read in a minute: the model is three numbers in JSON.
import { readFileSync } from 'node:fs';

/** Reads a CSV of x1,x2,label. */
export function readRows(file) {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number));
}

export const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** P(label = 1 | x1, x2). */
export function predict(model, x1, x2) {
  return sigmoid(model.w1 * x1 + model.w2 * x2 + model.b);
}

/** Plain gradient descent; `epochs` is the knob the demo's versions turn. */
export function train(rows, epochs, rate = 0.5) {
  const model = { w1: 0, w2: 0, b: 0 };
  for (let epoch = 0; epoch < epochs; epoch++) {
    let g1 = 0, g2 = 0, gb = 0;
    for (const [x1, x2, y] of rows) {
      const error = predict(model, x1, x2) - y;
      g1 += error * x1;
      g2 += error * x2;
      gb += error;
    }
    model.w1 -= (rate * g1) / rows.length;
    model.w2 -= (rate * g2) / rows.length;
    model.b -= (rate * gb) / rows.length;
  }
  return model;
}

/** Share of rows the model labels right. */
export function accuracy(model, rows) {
  return rows.filter(([x1, x2, y]) => (predict(model, x1, x2) >= 0.5 ? 1 : 0) === y).length / rows.length;
}
