import { describe, expect, it } from 'vitest';
import { MalformedResultError, type DaemonConnection } from '../client/daemon-connection.js';
import { CliError, EXIT } from './exit-codes.js';
import { call } from './runs.js';

/** A connection whose every request fails with `error` (the rest of the connection is not used by `call`). */
const failing = (error: Error) => ({ request: () => Promise.reject(error) }) as unknown as DaemonConnection;
const coded = (code: string) => Object.assign(new Error(`daemon says ${code}`), { code });

describe('call', () => {
  it('returns the result the connection resolved with', async () => {
    const connection = { request: (method: string) => Promise.resolve(method === 'ping' ? { pong: true } : null) } as unknown as DaemonConnection;
    await expect(call(connection, 'ping')).resolves.toEqual({ pong: true });
  });

  const cases: [string, Error, number][] = [
    ['not-found', coded('not-found'), EXIT.failed],
    ['refused', coded('refused'), EXIT.failed],
    ['conflict', coded('conflict'), EXIT.failed],
    ['invalid-params', coded('invalid-params'), EXIT.usage],
    ['internal', coded('internal'), EXIT.unreachable],
    ['a malformed result', new MalformedResultError("the daemon's answer to ping does not match its schema: result.pong: expected true"), EXIT.unreachable],
  ];
  for (const [name, error, exitCode] of cases) {
    it(`maps ${name} to exit ${exitCode}, keeping the message`, async () => {
      const failed = await call(failing(error), 'ping').catch((err: unknown) => err);
      expect(failed).toBeInstanceOf(CliError);
      expect(failed).toMatchObject({ exitCode, message: error.message });
    });
  }
});
