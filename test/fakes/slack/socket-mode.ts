import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { checkResponseUrlBody } from './response-url-checks.js';
import { refuseUpgrade, ServerWebSocket } from './websocket-server.js';

/** The kinds of envelope the fake sends: what a `/rollback` bot receives. */
export type EnvelopeType = 'slash_commands' | 'interactive';

/** An envelope as Slack sends it over the socket. */
export interface SocketEnvelope {
  envelope_id: string;
  type: EnvelopeType;
  /** The fields Slack would have POSTed over HTTP: a slash command's form fields, or an interactive `payload` parsed. */
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
}

/** The app's acknowledgement of one envelope. */
export interface SocketAck {
  envelope_id: string;
  /** What the app answered with; the SDK sends `{}` for a bare `ack()`. */
  payload?: Record<string, unknown>;
  /** Real milliseconds from sending the envelope to receiving the ack. */
  afterMs: number;
  connectionId: number;
}

/** One WebSocket connection the app opened, as the fake saw it. */
export interface SocketConnection {
  id: number;
  ticket: string;
  /** When the fake sent `hello` (epoch ms); the SDK counts the app connected from then. */
  helloAt: number;
  closedAt?: number;
  /** The code of the app's close frame; absent when the connection was cut. */
  closeCode?: number;
  pingsReceived: number;
  pongsReceived: number;
}

/** Why Slack tells an app to reconnect. */
export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

/** What the Socket Mode side needs from the fake around it. */
export interface FakeSocketModeOptions {
  appToken: string;
  appId: string;
  /** Records something the real Slack would have refused or dropped. */
  onViolation(problems: string[], params: Record<string, unknown>): void;
}

// Slack gives the app 3 seconds to acknowledge an envelope, then shows the user an error (commands) or retries.
const ACK_DEADLINE_MS = 3_000;
const DEBUG_HOST = 'applink-fake-0';
// RFC 6455 §7.4.1: the server is going down.
const GOING_AWAY = 1001;
// Interactive payloads whose acknowledgement can carry an answer (view errors, options); block_actions cannot.
const ANSWERABLE_INTERACTIONS = new Set(['view_submission', 'block_suggestion']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Slack's Socket Mode in the fake: `apps.connections.open` hands out single-use WebSocket URLs, and the
 * socket behind them says hello, carries envelopes the test sends, and records the app's acks.
 */
export class FakeSocketMode {
  /** Every connection opened, in order. */
  readonly connections: SocketConnection[] = [];
  /** Every envelope sent, in order. */
  readonly envelopes: SocketEnvelope[] = [];
  /** Every acknowledgement received, in order. */
  readonly acks: SocketAck[] = [];
  private readonly tickets = new Set<string>();
  private readonly live = new Map<number, ServerWebSocket>();
  private readonly sentAt = new Map<string, number>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: FakeSocketModeOptions) {}

  /** The answer to `apps.connections.open`, which only an app-level token may call. */
  open(bearer: string | undefined, baseUrl: string): Record<string, unknown> {
    if (bearer === undefined) return { ok: false, error: 'not_authed' };
    if (bearer !== this.options.appToken) return { ok: false, error: 'invalid_auth' };
    const ticket = randomUUID();
    this.tickets.add(ticket);
    const url = new URL(`socket?ticket=${ticket}&app_id=${this.options.appId}`, baseUrl.replace(/^http/, 'ws'));
    return { ok: true, url: url.href };
  }

  /** Takes an HTTP upgrade: a ticket from `open`, used once, becomes a connection greeted with `hello`. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/socket' || !this.tickets.delete(ticket)) return refuseUpgrade(socket, 401, 'Unauthorized');
    const connection: SocketConnection = { id: this.connections.length + 1, ticket, helloAt: 0, pingsReceived: 0, pongsReceived: 0 };
    const ws = ServerWebSocket.accept(req, socket, head, {
      onText: (text) => this.receive(connection, text),
      onPing: () => void (connection.pingsReceived += 1),
      onPong: () => {
        connection.pongsReceived += 1;
        this.changed();
      },
      onClose: (code) => {
        connection.closedAt = Date.now();
        if (code !== undefined) connection.closeCode = code;
        this.live.delete(connection.id);
        this.changed();
      },
    });
    if (!ws) return;
    this.connections.push(connection);
    this.live.set(connection.id, ws);
    const hello = {
      type: 'hello',
      num_connections: this.live.size,
      debug_info: { host: DEBUG_HOST, build_number: 1, approximate_connection_time: 18_060 },
      connection_info: { app_id: this.options.appId },
    };
    ws.sendText(JSON.stringify(hello));
    connection.helloAt = Date.now();
    this.changed();
  }

  /** Sends a slash command's fields (as Slack would have form-encoded them) to the newest connection; returns the envelope_id. */
  sendSlashCommand(fields: Record<string, unknown>): string {
    return this.send('slash_commands', fields);
  }

  /** Sends an interactive payload (e.g. `block_actions`) to the newest connection; returns the envelope_id. */
  sendInteractive(payload: Record<string, unknown>): string {
    return this.send('interactive', payload);
  }

  /** Sends an envelope to the newest open connection, as Slack picks one of them; returns its envelope_id. */
  send(type: EnvelopeType, payload: Record<string, unknown>): string {
    const ws = [...this.live.values()].at(-1);
    if (!ws) throw new Error('no Socket Mode connection is open');
    const acceptsResponse = type === 'slash_commands' || ANSWERABLE_INTERACTIONS.has(String(payload.type));
    const envelope: SocketEnvelope = { envelope_id: randomUUID(), type, payload, accepts_response_payload: acceptsResponse };
    this.envelopes.push(envelope);
    this.sentAt.set(envelope.envelope_id, Date.now());
    ws.sendText(JSON.stringify(envelope));
    return envelope.envelope_id;
  }

  /** Resolves with the ack of an envelope as soon as it arrives; rejects after `timeoutMs` of real time. */
  waitForAck(envelopeId: string, timeoutMs = 5_000): Promise<SocketAck> {
    return this.until(() => this.acks.find((ack) => ack.envelope_id === envelopeId), timeoutMs, `no ack of envelope ${envelopeId}`);
  }

  /** Resolves with the `count`-th connection (1-based) once it has been greeted. */
  waitForConnection(count = 1, timeoutMs = 5_000): Promise<SocketConnection> {
    return this.until(() => this.connections[count - 1], timeoutMs, `no Socket Mode connection #${count}`);
  }

  /** Pings the newest open connection and resolves when its pong arrives. */
  async ping(timeoutMs = 5_000): Promise<void> {
    const entry = [...this.live.entries()].at(-1);
    if (!entry) throw new Error('no Socket Mode connection is open');
    const [id, ws] = entry;
    const connection = this.connections[id - 1]!;
    const before = connection.pongsReceived;
    ws.ping(Buffer.from(`ping from fake Slack ${Date.now()}`));
    await this.until(() => (connection.pongsReceived > before ? connection : undefined), timeoutMs, `no pong on connection #${id}`);
  }

  /** Tells every open connection to go away, as Slack does before recycling one; the app closes and reconnects. */
  disconnect(reason: DisconnectReason = 'refresh_requested'): void {
    for (const ws of this.live.values()) ws.sendText(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: DEBUG_HOST } }));
  }

  /** Closes every connection with "going away", as Slack does on shutdown, cutting those whose app does not answer. */
  async close(timeoutMs = 1_000): Promise<void> {
    for (const ws of this.live.values()) ws.close(GOING_AWAY);
    await this.until(() => (this.live.size === 0 ? true : undefined), timeoutMs, 'open Socket Mode connections').catch(() => {
      for (const ws of this.live.values()) ws.destroy();
    });
  }

  private receive(connection: SocketConnection, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.options.onViolation(['a Socket Mode message that is not JSON'], { text });
    }
    if (!isRecord(message)) return this.options.onViolation(['a Socket Mode message that is not a JSON object'], { text });
    const envelope = this.envelopes.find((e) => e.envelope_id === message.envelope_id);
    if (!envelope) return this.options.onViolation([`an ack of unknown envelope ${String(message.envelope_id)}`], message);
    const ack: SocketAck = { envelope_id: envelope.envelope_id, afterMs: Date.now() - this.sentAt.get(envelope.envelope_id)!, connectionId: connection.id };
    if (message.payload !== undefined) ack.payload = message.payload as Record<string, unknown>;
    const problems = this.checkAck(envelope, ack, message.payload);
    this.acks.push(ack);
    if (problems.length > 0) this.options.onViolation(problems, message);
    this.changed();
  }

  private checkAck(envelope: SocketEnvelope, ack: SocketAck, payload: unknown): string[] {
    const problems: string[] = [];
    if (this.acks.some((earlier) => earlier.envelope_id === envelope.envelope_id)) problems.push(`envelope ${envelope.envelope_id} acked twice`);
    if (ack.afterMs > ACK_DEADLINE_MS) problems.push(`envelope acked after ${ack.afterMs} ms; Slack waits ${ACK_DEADLINE_MS} ms`);
    if (payload === undefined) return problems;
    if (!isRecord(payload)) return [...problems, 'an ack payload that is not a JSON object'];
    if (Object.keys(payload).length === 0) return problems;
    if (!envelope.accepts_response_payload) return [...problems, `an ack payload on a ${envelope.type} envelope that accepts none (Slack drops it)`];
    // A command's ack payload is the immediate answer, with the fields a response_url takes.
    if (envelope.type === 'slash_commands') problems.push(...checkResponseUrlBody(payload));
    return problems;
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private until<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        const found = find();
        if (found === undefined) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(found);
      };
      this.listeners.add(check);
      check();
    });
  }
}
