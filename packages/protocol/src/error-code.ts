import { z } from 'zod/mini';

/**
 * Stable error codes that cross the wire. Clients branch on these, never on message text.
 * Add codes; never rename or reuse one.
 */
export const ERROR_CODES = [
  'malformed-frame', // not JSON, or a binary frame
  'invalid-message', // JSON that matches no message schema
  'handshake-required', // a request before `hello`
  'protocol-mismatch', // `hello` with a protocol version this daemon does not speak
  'unknown-method', // a request whose method does not exist
  'invalid-params', // a known method with params that fail its schema
  'not-found', // the named run, environment or revision does not exist
  'conflict', // the environment is held by another operation
  'refused', // the operation is not allowed (e.g. rollback to a bad release without force)
  'rate-limited', // too many messages per second from this connection
  'shutting-down', // the daemon is stopping
  'internal', // a bug: the daemon logged it
  'not-configured', // the operation needs what axum.yml does not configure (e.g. a backup target)
] as const;

export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;
