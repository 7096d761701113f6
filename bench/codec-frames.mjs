// Scenario: how long the codec takes to refuse pathological frames near the size limit (deep
// nesting, many keys, megabyte strings) — a frame that takes seconds to decode would be a denial of
// service. The property test (packages/protocol/src/codec.property.test.ts) checks that each is
// refused with a typed error; the time is measured here, not asserted in the suite.
// Baseline in the same run: JSON.parse of the same frame (what any JSON server pays at least).
import { decodeClientMessage, decodeDaemonMessage } from '../packages/protocol/dist/index.js';
import { stats } from './lib.mjs';

function frames() {
  const depth = 100_000;
  const deep = '['.repeat(depth) + ']'.repeat(depth);
  const deepObject = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return [
    deep,
    deepObject,
    '['.repeat(depth),
    `{"type":"request","id":"r1","method":"run.get","params":{"runId":${deep}}}`,
    `{"type":"request","id":"r1","method":"run.get","params":${deepObject}}`,
    `{"type":"hello","protocolVersion":1,"client":${deepObject}}`,
    `{"type":"request","id":"r1","method":"ping","params":{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(',')}}}`,
    JSON.stringify({ type: 'request', id: 'x'.repeat(900_000), method: 'ping', params: {} }),
    JSON.stringify({ type: 'request', id: 'r1', method: 'run.get', params: { runId: '\u0000'.repeat(900_000) } }),
    'x'.repeat(1_000_000),
    '"' + 'x'.repeat(1_000_000),
    '1'.repeat(1_000_000),
    '-' + '9'.repeat(400) + 'e99999',
    '\uFEFF{"type":"hello"}',
  ];
}

const timed = (fn) => {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
};

export async function codecFrames({ reps }) {
  const decode = [];
  const parse = [];
  for (let i = 0; i < reps; i++) {
    for (const frame of frames()) {
      decode.push(timed(() => (decodeClientMessage(frame), decodeDaemonMessage(frame))));
      parse.push(timed(() => {
        try {
          JSON.parse(frame);
        } catch {
          // refused: what a plain server would answer
        }
      }));
    }
  }
  const axum = stats(decode);
  return {
    name: 'codec: refusing 14 pathological frames near the size limit (per frame, both decoders)',
    unit: 'ms',
    rows: [
      { label: 'axum decodeClientMessage + decodeDaemonMessage', ...axum },
      { label: 'baseline JSON.parse', ...stats(parse) },
    ],
    goal: 'every frame under 2,000 ms (max)',
    met: axum.max < 2000,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await codecFrames({ reps: 3 }), null, 2));
