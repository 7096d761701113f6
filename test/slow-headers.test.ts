// Any local user can connect to `--listen` (loopback TCP has no owner check): 200 sockets of another
// user that trickle an HTTP request one header line at a time, reconnecting when closed, must not
// lock out the user's own token-bearing clients (RELIABILITY.md). Before the fix they held every
// slot of the listener's connection cap and each real connection was reset. Real daemon, real sockets.
import { spawn, type ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, scratchRepos, token, upgradeStatus, waitFor } from './support/axum.js';

const repo = scratchRepos(afterEach);
const SLOW = 200;

/**
 * `count` sockets to `port`, each sending `GET /` then a header line every 500 ms, reconnecting when
 * closed, run by another user (nobody) in a process of its own; prints `up` once `count` connected.
 */
const LORIS = `
const { connect } = require('node:net');
const [port, count] = process.argv.slice(1).map(Number);
let connects = 0;
const open = () => {
  const socket = connect(port, '127.0.0.1');
  let timer;
  socket.on('connect', () => {
    if (++connects === count) process.stdout.write('up\\n');
    socket.write('GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n');
    let n = 0;
    timer = setInterval(() => socket.write('X-Slow-' + n++ + ': 1\\r\\n'), 500);
  });
  socket.on('error', () => undefined);
  socket.on('close', () => { clearInterval(timer); setTimeout(open, 20); });
};
for (let i = 0; i < count; i++) open();
setInterval(() => process.stdout.write('connects ' + connects + '\\n'), 250);
`;
const NOBODY = 65534;

function slowLoris(port: number, count: number): ChildProcess {
  return spawn(process.execPath, ['-e', LORIS, String(port), String(count)], { uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'inherit'] });
}

// Another user is at hand only as root (spawn's uid): elsewhere skipped. A user's own processes can read the token anyway.
describe.skipIf(process.getuid?.() !== 0)('slow unauthenticated connections to --listen from another user', () => {
  it(`${SLOW} sockets trickling headers and reconnecting: every one of 20 token-bearing clients still connects`, async () => {
    const dir = repo();
    const start = await axum(['daemon', 'start', '--listen', '127.0.0.1:0', '--json', '--repo', dir]);
    expect(start.code, start.stderr).toBe(0);
    const port = Number((JSON.parse(start.stdout) as { listen: string }).listen.split(':').pop());
    const bearer = token(dir);

    const attack = slowLoris(port, SLOW);
    let output = '';
    attack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(() => output.includes('up\n'), 20_000, `${SLOW} slow sockets connected`);
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++) {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { Authorization: `Bearer ${bearer}` }, perMessageDeflate: false });
        outcomes.push(
          await upgradeStatus(ws).then(
            (status) => String(status),
            (err: Error) => err.message,
          ),
        );
      }
      const connects = [...output.matchAll(/connects (\d+)/g)].pop()?.[1] ?? '?';
      console.log(`FIGURE slow headers (another user): ${connects} slow connects; real clients: ${outcomes.filter((o) => o === '101').length}/20 connected`);
      expect(outcomes).toEqual(Array.from({ length: 20 }, () => '101'));
    } finally {
      attack.kill('SIGKILL');
    }
  }, 60_000);
});
