import { z } from 'zod/mini';
import { en } from 'zod/locales';
import { ClientMessage, REQUEST_METHODS, RequestBody, type RequestMethod } from './client-message.js';
import { DaemonMessage } from './daemon-message.js';
import type { ErrorCode } from './error-code.js';
import { RESULT_SCHEMAS, type ResultOf } from './request-result.js';

/** A decode outcome: the typed message, or why the frame was rejected. Never throws. */
export type Decoded<T> =
  | { ok: true; message: T }
  | { ok: false; code: Extract<ErrorCode, 'malformed-frame' | 'invalid-message' | 'unknown-method' | 'invalid-params'>; message: string; id: string | null };

// The messages' schemas are zod/mini's (a lighter start for every command: BENCHMARKS.md, CLI
// start), which words no issue by itself ("Invalid input"); classic zod registers English when it
// builds its first schema. The same words either way, so a client's errors read as the daemon's.
if (!z.core.globalConfig.localeError) z.config(en());

/** Frames larger than this are refused by the transport before they reach the codec. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** Encodes one message as a text frame. */
export function encode(message: ClientMessage | DaemonMessage): string {
  return JSON.stringify(message);
}

/** Decodes a frame sent by a client (run by the daemon on every incoming frame). */
export function decodeClientMessage(frame: unknown): Decoded<ClientMessage> {
  const { decoded, value } = decodeValue(ClientMessage, frame);
  if (decoded.ok || decoded.code !== 'invalid-message' || decoded.id === null) return decoded;
  // A request with a good id whose method or params are wrong: say which, so a client (or a person
  // reading its error) can tell a typo in a method name from a bad argument.
  const { type, method } = value as { type?: unknown; method?: unknown };
  if (type !== 'request') return decoded;
  if (typeof method !== 'string' || !(REQUEST_METHODS as readonly string[]).includes(method)) {
    const shown = typeof method === 'string' ? `"${method.slice(0, 64)}"` : `of type ${method === null ? 'null' : typeof method}`;
    return { ok: false, code: 'unknown-method', message: `no method ${shown}; methods: ${REQUEST_METHODS.join(', ')}`, id: decoded.id };
  }
  // The union's own error says only "Invalid input": validate the params with the method's schema.
  const option = RequestBody.def.options.find((o) => o.shape.method.def.values[0] === method);
  const params = option?.shape.params.safeParse((value as { params?: unknown }).params);
  const message = params && !params.success ? describeIssues(params.error, 'params') : decoded.message;
  return { ok: false, code: 'invalid-params', message, id: decoded.id };
}

/** Decodes a frame sent by the daemon (run by clients). */
export function decodeDaemonMessage(frame: unknown): Decoded<DaemonMessage> {
  return decodeWith(DaemonMessage, frame);
}

/** A result checked against its method's schema, or why it does not match. Never throws. */
export type DecodedResult<M extends RequestMethod> = { ok: true; result: ResultOf<M> } | { ok: false; message: string };

/**
 * Checks the `result` of a `result` message against the schema of the method it answers (run by
 * clients, which alone know the method: the message carries only the request's id).
 */
export function decodeResult<M extends RequestMethod>(method: M, result: unknown): DecodedResult<M> {
  const parsed = RESULT_SCHEMAS[method].safeParse(result);
  if (parsed.success) return { ok: true, result: parsed.data };
  return { ok: false, message: `the daemon's answer to ${method} does not match its schema: ${describeIssues(parsed.error, 'result')}` };
}

function decodeWith<T>(schema: z.ZodMiniType<T>, frame: unknown): Decoded<T> {
  return decodeValue(schema, frame).decoded;
}

/** The decode outcome and the parsed JSON value (undefined when the frame is not JSON). */
function decodeValue<T>(schema: z.ZodMiniType<T>, frame: unknown): { decoded: Decoded<T>; value: unknown } {
  if (typeof frame !== 'string') {
    return { decoded: { ok: false, code: 'malformed-frame', message: 'expected a text frame holding one JSON message', id: null }, value: undefined };
  }
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch (err) {
    return { decoded: { ok: false, code: 'malformed-frame', message: `not JSON: ${(err as Error).message}`, id: null }, value: undefined };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { decoded: { ok: true, message: parsed.data }, value };
  return { decoded: { ok: false, code: 'invalid-message', message: describeIssues(parsed.error), id: requestIdOf(value) }, value };
}

/** Keeps the id of a broken request so the error can be matched to it by the client. */
function requestIdOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : null;
}

function describeIssues(error: z.core.$ZodError, root?: string): string {
  const first = error.issues.slice(0, 3).map((issue) => {
    const path = root ? [root, ...issue.path] : issue.path;
    const where = path.length > 0 ? path.join('.') : 'message';
    return `${where}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  // Bounded so a hostile frame cannot make the daemon echo megabytes back.
  return (first.join('; ') + more).slice(0, 500);
}
