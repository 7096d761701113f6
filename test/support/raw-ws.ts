// A WebSocket client built by hand on a net socket, to send what no real client library would:
// bad opcodes, RSV bits, unmasked frames, lying lengths, invalid UTF-8 (RFC 6455 §5.2).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

export const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface FrameSpec {
  fin?: boolean;
  /** RSV1..RSV3 as bits 4..6 of the first byte: 0b100 = RSV1, 0b010 = RSV2, 0b001 = RSV3. */
  rsv?: number;
  opcode: number;
  masked?: boolean;
  payload?: Buffer | string;
  /** How the length is written: the shortest form (default), or forced to the 16- or 64-bit form. */
  lengthForm?: 'auto' | 16 | 64;
  /** A length to claim instead of the payload's own (the payload is sent as is, possibly shorter). */
  claimedLength?: bigint;
}

/** The 7-bit length field a frame is written with: the length itself, or 126 (16-bit form) or 127 (64-bit form). */
export function lengthField(spec: FrameSpec): number {
  const length = spec.claimedLength ?? BigInt(bytesOf(spec.payload).length);
  const form = spec.lengthForm ?? 'auto';
  if (length > 0xffffn || form === 64) return 127;
  if (length > 125n || form === 16) return 126;
  return Number(length);
}

const bytesOf = (payload: FrameSpec['payload']) => (typeof payload === 'string' ? Buffer.from(payload) : (payload ?? Buffer.alloc(0)));

/** Builds one client frame, masked unless told otherwise. */
export function frame(spec: FrameSpec): Buffer {
  const payload = bytesOf(spec.payload);
  const masked = spec.masked ?? true;
  const length = spec.claimedLength ?? BigInt(payload.length);
  const field = lengthField(spec);
  const b0 = ((spec.fin ?? true) ? 0x80 : 0) | (((spec.rsv ?? 0) & 0b111) << 4) | (spec.opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (field === 127) {
    header = Buffer.alloc(10);
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(length, 2);
  } else if (field === 126) {
    header = Buffer.alloc(4);
    header[1] = maskBit | 126;
    header.writeUInt16BE(Number(length), 2);
  } else {
    header = Buffer.alloc(2);
    header[1] = maskBit | field;
  }
  header[0] = b0;
  if (!masked) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body.writeUInt8((body.readUInt8(i) ^ key.readUInt8(i % 4)) & 0xff, i);
  return Buffer.concat([header, key, body]);
}

export const text = (payload: string | Buffer, more: Partial<FrameSpec> = {}) => frame({ opcode: OP.text, payload, ...more });
export const closeFrame = (code: number | null, reason: Buffer | string = '') => {
  if (code === null) return frame({ opcode: OP.close });
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code, 0);
  return frame({ opcode: OP.close, payload: Buffer.concat([body, typeof reason === 'string' ? Buffer.from(reason) : reason]) });
};

export interface ServerFrame {
  opcode: number;
  fin: boolean;
  payload: Buffer;
}

export interface RawConnection {
  socket: Socket;
  /** Every frame the daemon sent, in order, but its heartbeat pings (see `heartbeats`). */
  frames: ServerFrame[];
  /** The code of the daemon's close frame (null: a close frame without a code), undefined while none came. */
  closeCode: () => number | null | undefined;
  /** Text frames parsed as JSON. */
  messages: () => Record<string, unknown>[];
  send: (bytes: Buffer) => void;
  /** Resolves once a frame matches (looking at every frame so far), or rejects after `timeoutMs`. */
  waitFrame: (predicate: (frame: ServerFrame) => boolean, timeoutMs?: number) => Promise<ServerFrame>;
  /** Sends a ping with a unique payload and resolves when its pong comes back: every earlier frame was processed. */
  probe: (timeoutMs?: number) => Promise<void>;
  /** Resolves with the close code once the daemon's close frame arrives (or rejects after `timeoutMs`). */
  waitClose: (timeoutMs?: number) => Promise<number | null>;
  destroy: () => void;
  /** How many heartbeat pings the daemon sent (never answered: raw connections live less than its 30 s grace). */
  heartbeats: () => number;
}

/** Opens a Unix-socket connection, does the HTTP upgrade with the bearer token, resolves once the daemon answered 101. */
export function rawConnect(socketPath: string, token: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const frames: ServerFrame[] = [];
    const waiters = new Set<() => void>();
    let buffered = Buffer.alloc(0);
    let upgraded = false;
    let probes = 0;
    let heartbeats = 0;
    const notify = () => {
      for (const waiter of [...waiters]) waiter();
    };
    const parse = () => {
      for (;;) {
        if (buffered.length < 2) return;
        const b0 = buffered.readUInt8(0);
        const b1 = buffered.readUInt8(1);
        let length = b1 & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffered.length < 4) return;
          length = buffered.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffered.length < 10) return;
          length = Number(buffered.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffered.length < offset + length) return;
        // The daemon's heartbeat ping (every 15 s) is not an answer to anything the test sent: counted apart.
        if ((b0 & 0x0f) === OP.ping) heartbeats++;
        else frames.push({ opcode: b0 & 0x0f, fin: (b0 & 0x80) !== 0, payload: Buffer.from(buffered.subarray(offset, offset + length)) });
        buffered = buffered.subarray(offset + length);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 101 /.test(head)) {
          socket.destroy();
          reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
          return;
        }
        upgraded = true;
        buffered = buffered.subarray(end + 4);
        resolve(connection);
      }
      parse();
      notify();
    });
    socket.on('error', (err) => {
      if (!upgraded) reject(err);
    });
    socket.on('close', () => {
      if (!upgraded) reject(new Error('socket closed before the upgrade'));
      notify();
    });

    const waitFrame = (predicate: (frame: ServerFrame) => boolean, timeoutMs = 5_000) =>
      new Promise<ServerFrame>((res, rej) => {
        const check = () => {
          const found = frames.find(predicate);
          if (found) {
            done();
            res(found);
          } else if (socket.destroyed && !socket.readable) {
            done();
            rej(new Error(`connection ended without the expected frame; got ${describe(frames)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          rej(new Error(`no matching frame within ${timeoutMs} ms; got ${describe(frames)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });

    const closeCode = () => {
      const close = frames.find((f) => f.opcode === OP.close);
      if (!close) return undefined;
      return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null;
    };

    const connection: RawConnection = {
      socket,
      frames,
      closeCode,
      messages: () => frames.filter((f) => f.opcode === OP.text).map((f) => JSON.parse(f.payload.toString('utf8')) as Record<string, unknown>),
      send: (bytes) => {
        socket.write(bytes);
      },
      waitFrame,
      probe: async (timeoutMs = 5_000) => {
        const tag = `probe-${++probes}`;
        socket.write(frame({ opcode: OP.ping, payload: tag }));
        await waitFrame((f) => f.opcode === OP.pong && f.payload.toString() === tag, timeoutMs);
      },
      waitClose: async (timeoutMs = 5_000) => {
        await waitFrame((f) => f.opcode === OP.close, timeoutMs);
        return closeCode() ?? null;
      },
      destroy: () => socket.destroy(),
      heartbeats: () => heartbeats,
    };
    socket.write(
      [
        'GET / HTTP/1.1',
        'Host: localhost',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Authorization: Bearer ${token}`,
        '',
        '',
      ].join('\r\n'),
    );
  });
}

function describe(frames: ServerFrame[]): string {
  return JSON.stringify(frames.slice(-5).map((f) => ({ opcode: f.opcode, payload: f.payload.subarray(0, 80).toString('latin1') })));
}

/** The resident set size of a process, in bytes (VmRSS from /proc). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** The p-th percentile (0..100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
