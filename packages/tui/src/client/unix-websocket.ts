// A WebSocket client (RFC 6455) over a Unix socket, with only what the CLI needs to talk to the
// daemon: text messages, ping/pong, the close handshake. No extensions (the daemon offers none).
//
// Why not the `ws` package here: its client loads node's http, https, tls and zlib with it, ~40 ms
// of CPU on every `axum` command that talks to the daemon (a third of a bare `node -e 0`), for a
// connection that is a local socket (BENCHMARKS.md, CLI start). The daemon's side is still `ws`.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** The largest message taken from the daemon (the `ws` client's default). */
const MAX_PAYLOAD = 100 * 1024 * 1024;
/** How long a close handshake may take before the socket is cut (the `ws` client's default). */
const CLOSE_TIMEOUT_MS = 30_000;

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

export interface UnixWebSocketEvents {
  open(): void;
  /** A whole message: its text, or null for a binary one. */
  message(text: string | null): void;
  pong(): void;
  /** The daemon answered the upgrade with another HTTP status (401 for a wrong token). */
  unexpectedResponse(status: number): void;
  error(err: Error): void;
  /** Once, last, whoever ended the connection: the close frame's code and reason (1006 and '' when none came). */
  close(code: number, reason: string): void;
}

/** One connection to `socketPath`, opened at once; its events are those of the `ws` package, one handler each. */
export class UnixWebSocket {
  readyState = CONNECTING;
  private readonly socket: Socket;
  private readonly key = randomBytes(16).toString('base64');
  private chunks: Buffer[] = [];
  private buffered = 0;
  private fragments: Buffer[] = [];
  private fragmentsBinary = false;
  private fragmentsBytes = 0;
  private closeCode = 1006;
  private closeReason = '';
  private closeFrameSent = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private errored = false;
  private readonly events: UnixWebSocketEvents = { open() {}, message() {}, pong() {}, unexpectedResponse() {}, error() {}, close() {} };

  constructor(socketPath: string, headers: Record<string, string>) {
    this.socket = connect(socketPath);
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      const lines = ['GET / HTTP/1.1', 'Host: localhost', 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${this.key}`];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => {
      clearTimeout(this.closeTimer);
      if (this.readyState === CONNECTING) this.events.error(new Error('socket hang up'));
      this.readyState = CLOSED;
      this.events.close(this.closeCode, this.closeReason);
    });
  }

  on<K extends keyof UnixWebSocketEvents>(name: K, handler: UnixWebSocketEvents[K]): void {
    this.events[name] = handler;
  }

  send(text: string): void {
    if (this.readyState === OPEN) this.sendFrame(0x1, Buffer.from(text));
  }

  ping(): void {
    if (this.readyState === OPEN) this.sendFrame(0x9, Buffer.alloc(0));
  }

  /** Starts the close handshake; the socket ends when the daemon answers it (or after 30 s). */
  close(code: number, reason: string): void {
    if (this.readyState === CLOSED || this.readyState === CLOSING) return;
    if (this.readyState === CONNECTING) {
      this.fail(new Error('WebSocket was closed before the connection was established'));
      return;
    }
    this.readyState = CLOSING;
    this.sendClose(code, reason);
    this.closeTimer = setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS);
  }

  /** Cuts the socket at once. */
  terminate(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSING;
    this.socket.destroy();
  }

  private fail(err: Error): void {
    if (this.errored || this.readyState === CLOSED) return;
    this.errored = true;
    this.readyState = CLOSING;
    this.events.error(err);
    this.socket.destroy();
  }

  private sendClose(code: number, reason: string): void {
    if (this.closeFrameSent) return;
    this.closeFrameSent = true;
    const reasonBytes = Buffer.from(reason);
    const payload = Buffer.alloc(2 + reasonBytes.length);
    payload.writeUInt16BE(code, 0);
    reasonBytes.copy(payload, 2);
    this.sendFrame(0x8, payload);
  }

  /** A final frame, masked as a client's must be. */
  private sendFrame(opcode: number, payload: Buffer): void {
    const length = payload.length;
    const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
    const header = Buffer.alloc(2 + lengthBytes + 4);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
    if (lengthBytes === 2) header.writeUInt16BE(length, 2);
    else if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
    const mask = randomBytes(4);
    mask.copy(header, 2 + lengthBytes);
    const masked = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
    this.socket.write(Buffer.concat([header, masked]));
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.readyState === CONNECTING) this.readHandshake();
    if (this.readyState === OPEN || this.readyState === CLOSING) this.readFrames();
  }

  private take(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  private keep(rest: Buffer): void {
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
  }

  private readHandshake(): void {
    const all = this.take();
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) {
      if (all.length > 64 * 1024) this.fail(new Error('the upgrade answer has no end'));
      return;
    }
    const [statusLine = '', ...headerLines] = all.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0);
    if (status !== 101) {
      this.errored = true;
      this.readyState = CLOSING;
      this.events.unexpectedResponse(status);
      this.socket.destroy();
      return;
    }
    const accept = headerLines.find((line) => /^sec-websocket-accept:/i.test(line))?.slice('sec-websocket-accept:'.length).trim();
    const expected = createHash('sha1').update(this.key + GUID).digest('base64');
    if (accept !== expected) {
      this.fail(new Error('Invalid Sec-WebSocket-Accept header'));
      return;
    }
    this.keep(all.subarray(end + 4));
    this.readyState = OPEN;
    this.events.open();
  }

  /** Every whole frame buffered; a frame still arriving waits, its bytes joined once. */
  private readFrames(): void {
    while (this.buffered >= 2 && this.readyState !== CLOSED && !this.errored) {
      const first = this.chunks[0]!.length >= 14 || this.chunks.length === 1 ? this.chunks[0]! : this.take();
      const opcode = first[0]! & 0x0f;
      const fin = (first[0]! & 0x80) !== 0;
      if ((first[0]! & 0x70) !== 0 || (first[1]! & 0x80) !== 0) return this.fail(new Error('the daemon sent a frame a client cannot take (RSV bits or a mask)'));
      let length = first[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (first.length < 4) return;
        length = first.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (first.length < 10) return;
        const big = first.readBigUInt64BE(2);
        if (big > BigInt(MAX_PAYLOAD)) return this.fail(new Error('Max payload size exceeded'));
        length = Number(big);
        offset = 10;
      }
      if (this.buffered < offset + length) return;
      const all = this.take();
      const payload = all.subarray(offset, offset + length);
      this.keep(all.subarray(offset + length));
      this.onFrame(opcode, fin, payload);
    }
  }

  private onFrame(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode === 0x9) {
      if (this.readyState === OPEN) this.sendFrame(0xa, payload);
    } else if (opcode === 0xa) {
      this.events.pong();
    } else if (opcode === 0x8) {
      this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.closeReason = payload.subarray(2).toString();
      this.readyState = CLOSING;
      this.sendClose(this.closeCode === 1005 ? 1000 : this.closeCode, '');
      this.socket.end();
    } else if (opcode === 0x1 || opcode === 0x2 || opcode === 0x0) {
      if (opcode !== 0x0) this.fragmentsBinary = opcode === 0x2;
      this.fragmentsBytes += payload.length;
      if (this.fragmentsBytes > MAX_PAYLOAD) return this.fail(new Error('Max payload size exceeded'));
      this.fragments.push(payload);
      if (!fin) return;
      const whole = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments, this.fragmentsBytes);
      this.fragments = [];
      this.fragmentsBytes = 0;
      if (this.readyState === OPEN) this.events.message(this.fragmentsBinary ? null : whole.toString());
    } else {
      this.fail(new Error(`the daemon sent a frame of unknown opcode ${opcode}`));
    }
  }
}
