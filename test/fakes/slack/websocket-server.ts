import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

// RFC 6455 §4.2.2: the server proves it read the handshake key by hashing it with this fixed GUID.
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

// RFC 6455 §7.4.1: a client sent an unmasked frame or an unknown opcode.
const PROTOCOL_ERROR = 1002;

/** What the server end of a WebSocket reports. */
export interface WebSocketHandlers {
  onText(text: string): void;
  onPing(payload: Buffer): void;
  onPong(payload: Buffer): void;
  /** Once, when the connection is gone; `code` is the one in the client's close frame, if it sent one. */
  onClose(code: number | undefined): void;
}

interface Frame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
  size: number;
}

/** Answers an upgrade request with an HTTP error and drops the connection. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

// One frame from the start of `buffer`, unmasked; undefined until the whole frame has arrived.
function readFrame(buffer: Buffer): Frame | undefined {
  if (buffer.length < 2) return undefined;
  const first = buffer[0]!;
  const second = buffer[1]!;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (second & 0x80) !== 0;
  const mask = masked ? buffer.subarray(offset, offset + 4) : undefined;
  if (mask) offset += 4;
  if (buffer.length < offset + length) return undefined;
  const payload = Buffer.from(buffer.subarray(offset, offset + length));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, masked, payload, size: offset + length };
}

// Servers never mask (RFC 6455 §5.1); Slack's messages are small, but every length form is handled.
function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const head = 0x80 | opcode;
  if (payload.length < 126) return Buffer.concat([Buffer.from([head, payload.length]), payload]);
  if (payload.length < 0x10000) {
    const header = Buffer.from([head, 126, 0, 0]);
    header.writeUInt16BE(payload.length, 2);
    return Buffer.concat([header, payload]);
  }
  const header = Buffer.alloc(10);
  header[0] = head;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([header, payload]);
}

function closePayload(code: number | undefined): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code, 0);
  return payload;
}

/**
 * The server end of one WebSocket (RFC 6455), as much as Socket Mode uses: text messages, ping/pong and
 * the close handshake. No extension is negotiated, so frames are never compressed.
 */
export class ServerWebSocket {
  private buffered = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closeSent = false;
  private finished = false;

  private constructor(
    private readonly socket: Duplex,
    private readonly handlers: WebSocketHandlers,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // The HTTP server allows half-open sockets: finish the TCP close the client started.
    socket.on('end', () => socket.end());
    socket.on('close', () => this.finish(undefined));
    socket.on('error', () => socket.destroy());
  }

  /** Completes the opening handshake of `req`; a request that is not a WebSocket handshake gets 400 and null. */
  static accept(req: IncomingMessage, socket: Duplex, head: Buffer, handlers: WebSocketHandlers): ServerWebSocket | null {
    const key = req.headers['sec-websocket-key'];
    if (req.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string' || req.headers['sec-websocket-version'] !== '13') {
      refuseUpgrade(socket, 400, 'Bad Request');
      return null;
    }
    const accept = createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'));
    const ws = new ServerWebSocket(socket, handlers);
    if (head.length > 0) ws.receive(head);
    return ws;
  }

  /** Whether messages can still be sent. */
  get open(): boolean {
    return !this.closeSent && !this.finished;
  }

  /** Sends a text message. */
  sendText(text: string): void {
    if (this.open) this.socket.write(encodeFrame(OPCODE.text, Buffer.from(text, 'utf8')));
  }

  /** Sends a ping; the client answers with a pong carrying the same payload. */
  ping(payload: Buffer): void {
    if (this.open) this.socket.write(encodeFrame(OPCODE.ping, payload));
  }

  /** Starts the close handshake; the connection ends when the client answers with its close frame. */
  close(code: number): void {
    if (!this.open) return;
    this.closeSent = true;
    this.socket.write(encodeFrame(OPCODE.close, closePayload(code)));
  }

  /** Cuts the connection without a handshake. */
  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (let frame = readFrame(this.buffered); frame && !this.finished; frame = readFrame(this.buffered)) {
      this.buffered = this.buffered.subarray(frame.size);
      this.dispatch(frame);
    }
  }

  private dispatch(frame: Frame): void {
    if (!frame.masked) return this.fail();
    switch (frame.opcode) {
      case OPCODE.text:
      case OPCODE.binary:
      case OPCODE.continuation:
        this.fragments.push(frame.payload);
        if (frame.fin) {
          const message = Buffer.concat(this.fragments);
          this.fragments = [];
          this.handlers.onText(message.toString('utf8'));
        }
        return;
      case OPCODE.ping:
        if (this.open) this.socket.write(encodeFrame(OPCODE.pong, frame.payload));
        return this.handlers.onPing(frame.payload);
      case OPCODE.pong:
        return this.handlers.onPong(frame.payload);
      case OPCODE.close: {
        const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : undefined;
        // Answer a close the client started; a close answering ours needs no reply. Then the server ends TCP first.
        if (!this.closeSent) this.socket.write(encodeFrame(OPCODE.close, closePayload(code)));
        this.closeSent = true;
        this.socket.end();
        return this.finish(code);
      }
      default:
        return this.fail();
    }
  }

  private fail(): void {
    this.close(PROTOCOL_ERROR);
    this.socket.end();
    this.finish(PROTOCOL_ERROR);
  }

  private finish(code: number | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.handlers.onClose(code);
  }
}
