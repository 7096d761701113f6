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

/**
 * What the model sees of an input: x2 as is; x1 too, or log(x1 + x1LogOffset) when the model was
 * trained with x1 log-scaled (train.json `log_x1`). The offset makes every training value positive;
 * an x1 further below than that has no logarithm (NaN).
 */
export function features(model, x1, x2) {
  return [model.x1LogOffset === undefined ? x1 : Math.log(x1 + model.x1LogOffset), x2];
}

/** P(label = 1 | x1, x2). */
export function predict(model, x1, x2) {
  const [f1, f2] = features(model, x1, x2);
  return sigmoid(model.w1 * f1 + model.w2 * f2 + model.b);
}

/** Plain gradient descent; `epochs` is the knob the demo's versions turn (and `x1LogOffset`, see features). */
export function train(rows, epochs, { rate = 0.5, x1LogOffset } = {}) {
  const model = { w1: 0, w2: 0, b: 0, ...(x1LogOffset === undefined ? {} : { x1LogOffset }) };
  for (let epoch = 0; epoch < epochs; epoch++) {
    let g1 = 0, g2 = 0, gb = 0;
    for (const [x1, x2, y] of rows) {
      const [f1, f2] = features(model, x1, x2);
      const error = predict(model, x1, x2) - y;
      g1 += error * f1;
      g2 += error * f2;
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
