// Writes the demo's data: two features, a label from a noisy linear rule. Deterministic (seeded),
// so every machine trains the same model. Run once; the CSVs are committed.
import { writeFileSync } from 'node:fs';

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const rows = (n) =>
  Array.from({ length: n }, () => {
    const x1 = random() * 4 - 2;
    const x2 = random() * 4 - 2;
    const label = 1.5 * x1 - 1 * x2 + 0.3 + (random() - 0.5) * 0.8 > 0 ? 1 : 0;
    return `${x1.toFixed(4)},${x2.toFixed(4)},${label}`;
  });
writeFileSync(new URL('../data/train.csv', import.meta.url), ['x1,x2,label', ...rows(400)].join('\n') + '\n');
writeFileSync(new URL('../data/holdout.csv', import.meta.url), ['x1,x2,label', ...rows(200)].join('\n') + '\n');
