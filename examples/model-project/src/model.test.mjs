// The project's own unit test, run by the pipeline's `test` stage (node's test runner, no deps).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracy, predict, train } from './model.mjs';

test('predict is a probability', () => {
  const p = predict({ w1: 1, w2: -1, b: 0 }, 0.3, 0.1);
  assert.ok(p > 0 && p < 1);
});

test('training separates a separable set', () => {
  const rows = [[-1, 0, 0], [-2, 1, 0], [1, 0, 1], [2, -1, 1]];
  assert.equal(accuracy(train(rows, 200), rows), 1);
});
