import type { z } from 'zod';
import { ClientMessage } from './client-message.js';
import { DaemonMessage } from './daemon-message.js';
import type { ErrorCode } from './error-code.js';

/** A decode outcome: the typed message, or why the frame was rejected. Never throws. */
export type Decoded<T> =
  | { ok: true; message: T }
  | { ok: false; code: Extract<ErrorCode, 'malformed-frame' | 'invalid-message'>; message: string; id: string | null };

/** Frames larger than this are refused by the transport before they reach the codec. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** Encodes one message as a text frame. */
export function encode(message: ClientMessage | DaemonMessage): string {
  return JSON.stringify(message);
}

/** Decodes a frame sent by a client (run by the daemon on every incoming frame). */
export function decodeClientMessage(frame: unknown): Decoded<ClientMessage> {
  return decodeWith(ClientMessage, frame);
}

/** Decodes a frame sent by the daemon (run by clients). */
export function decodeDaemonMessage(frame: unknown): Decoded<DaemonMessage> {
  return decodeWith(DaemonMessage, frame);
}

function decodeWith<T>(schema: z.ZodType<T>, frame: unknown): Decoded<T> {
  if (typeof frame !== 'string') {
    return { ok: false, code: 'malformed-frame', message: 'expected a text frame holding one JSON message', id: null };
  }
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch (err) {
    return { ok: false, code: 'malformed-frame', message: `not JSON: ${(err as Error).message}`, id: null };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  return { ok: false, code: 'invalid-message', message: describeIssues(parsed.error), id: requestIdOf(value) };
}

/** Keeps the id of a broken request so the error can be matched to it by the client. */
function requestIdOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : null;
}

function describeIssues(error: z.ZodError): string {
  const first = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : 'message';
    return `${where}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  // Bounded so a hostile frame cannot make the daemon echo megabytes back.
  return (first.join('; ') + more).slice(0, 500);
}
