import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { checkBlocks, checkText } from './block-kit.js';
import { FaultQueue, type Fault } from './faults.js';
import { decodeParams, flatHeaders, readBody, sendJson } from './http-io.js';
import { checkResponseUrlBody } from './response-url-checks.js';
import { FakeSocketMode } from './socket-mode.js';
import { checkApiParams } from './web-api-spec.js';
import { Workspace, type BotIdentity, type EphemeralMessage, type SlackMessage } from './workspace.js';

/** One request the fake received, recorded on arrival. */
export interface RecordedCall {
  /** Web API method name (`chat.postMessage`…), or `response_url` for posts to a response URL. */
  method: string;
  /** For response URLs: the name given to `responseUrl(name)`. */
  responseUrlName?: string;
  /** Arguments from query and body, JSON-encoded ones (`blocks`…) decoded. */
  params: Record<string, unknown>;
  /** Request headers, lower-cased. */
  headers: Record<string, string>;
  /** Arrival time, epoch milliseconds (real time). */
  at: number;
  /** The answer; absent while the call is in flight or hanging. */
  response?: { status: number; body: unknown };
}

/** A call the real Slack would have refused, and why. */
export interface Violation {
  method: string;
  responseUrlName?: string;
  problems: string[];
  params: Record<string, unknown>;
}

/** Where a started fake listens. */
export interface FakeSlackUrls {
  /** `http://127.0.0.1:PORT/` */
  baseUrl: string;
  /** `http://127.0.0.1:PORT/api/`: the value for `SLACK_API_URL` or the WebClient's `slackApiUrl`. */
  apiUrl: string;
}

/** Identity and credentials of the fake workspace; every field has a default. */
export interface FakeSlackOptions extends Partial<BotIdentity> {
  botToken?: string;
  /** The app-level token (`xapp-…`) that `apps.connections.open` accepts. */
  appToken?: string;
}

// Slack lets a response_url be used this many times (within 30 minutes).
const RESPONSE_URL_USES = 5;

/** A local stand-in for the Slack Web API and response URLs that checks every call against Slack's specs. */
export class FakeSlack {
  /** Every request received, in order of arrival. */
  readonly calls: RecordedCall[] = [];
  /** Calls refused because Slack would have refused them; tests normally assert this stays empty. */
  readonly violations: Violation[] = [];
  /** The only token the fake accepts. */
  readonly botToken: string;
  /** The only token `apps.connections.open` accepts. */
  readonly appToken: string;
  /** Who the bot is in this workspace. */
  readonly identity: BotIdentity;
  /** Socket Mode: the WebSocket that `apps.connections.open` points to, where tests send envelopes and read acks. */
  readonly socketMode: FakeSocketMode;
  private readonly workspace: Workspace;
  private readonly faults = new FaultQueue();
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();
  private urls: FakeSlackUrls | undefined;

  constructor(options: FakeSlackOptions = {}) {
    const { botToken = 'xoxb-1111111111-2222222222-fakefakefakefakefake', appToken, ...identity } = options;
    this.botToken = botToken;
    this.identity = {
      teamId: 'T0FAKE0001',
      teamDomain: 'fake-workspace',
      teamName: 'Fake Workspace',
      botUserId: 'U0ROLLBOT1',
      botId: 'B0ROLLBOT1',
      botName: 'rollback-bot',
      appId: 'A0ROLLBACK',
      ...identity,
    };
    this.workspace = new Workspace(this.identity);
    this.appToken = appToken ?? `xapp-1-${this.identity.appId}-3333333333333-${'f'.repeat(64)}`;
    this.socketMode = new FakeSocketMode({
      appToken: this.appToken,
      appId: this.identity.appId,
      onViolation: (problems, params) => void this.violations.push({ method: 'socket_mode', problems, params }),
    });
  }

  /** Listens on 127.0.0.1 on an ephemeral port. */
  async start(): Promise<FakeSlackUrls> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => sendJson(res, 500, { ok: false, error: String(error) }));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.socketMode.upgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    this.server = server;
    this.urls = { baseUrl: `http://127.0.0.1:${port}/`, apiUrl: `http://127.0.0.1:${port}/api/` };
    return this.urls;
  }

  /** Closes the server once answers in flight are sent, cutting any hanging request; Socket Mode connections are closed first. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await this.socketMode.close();
    for (const res of this.hanging) res.socket?.destroy();
    this.hanging.clear();
    server.closeIdleConnections();
    await closed;
  }

  /** The URLs of the started fake. */
  get started(): FakeSlackUrls {
    if (!this.urls) throw new Error('FakeSlack is not started');
    return this.urls;
  }

  /** A response_url whose posts are recorded under `name`. */
  responseUrl(name: string): string {
    return `${this.started.baseUrl}response/${encodeURIComponent(name)}`;
  }

  /** Makes the next `times` calls to `target` (a method name, or `response_url`) fail with `fault`. */
  inject(target: string, fault: Fault, times = 1): void {
    this.faults.add(target, fault, times);
  }

  /** Calls to one Web API method, in order. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Bodies posted to the response_url named `name`, in order. */
  responsesTo(name: string): Record<string, unknown>[] {
    return this.calls.filter((call) => call.method === 'response_url' && call.responseUrlName === name).map((call) => call.params);
  }

  /** Top-level messages in a channel as they stand now (thread replies excluded). */
  messagesIn(channel: string): SlackMessage[] {
    return this.workspace.messages(channel).filter((message) => message.thread_ts === undefined);
  }

  /** Replies in the thread under `threadTs`, in order. */
  repliesIn(channel: string, threadTs: string): SlackMessage[] {
    return this.workspace.messages(channel).filter((message) => message.thread_ts === threadTs);
  }

  /** The message with this `ts` in the channel, top-level or reply. */
  message(channel: string, ts: string): SlackMessage | undefined {
    return this.workspace.find(channel, ts);
  }

  /** Ephemeral messages shown to `user`, optionally only in `channel`. */
  ephemeralsTo(user: string, channel?: string): EphemeralMessage[] {
    return this.workspace.ephemeralMessages().filter((m) => m.user === user && (channel === undefined || m.channel === channel));
  }

  /**
   * Resolves with the first recorded call that matches, as soon as there is one; rejects after
   * `timeoutMs` of real time, listing what arrived.
   */
  async waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs = 5_000): Promise<RecordedCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.calls.find(predicate);
      if (match) return match;
      if (Date.now() >= deadline) {
        const seen = this.calls.map((call) => call.responseUrlName ?? call.method).join(', ') || 'nothing';
        throw new Error(`no matching Slack call within ${timeoutMs} ms; received: ${seen}`);
      }
      await delay(5);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const params = decodeParams(req.headers['content-type'] ?? '', body, url.searchParams);
    const [, area, name = ''] = url.pathname.split('/');
    const call: RecordedCall = {
      method: area === 'response' ? 'response_url' : name,
      params: params ?? { body },
      headers: flatHeaders(req),
      at: Date.now(),
    };
    if (area === 'response') call.responseUrlName = decodeURIComponent(name);
    this.calls.push(call);
    if (area !== 'api' && area !== 'response') return this.answer(res, call, 404, { ok: false, error: 'not_found' });
    const fault = this.faults.take(call.method);
    if (fault) return this.fail(res, call, fault);
    if (params === null) return this.refuse(res, call, ['the body is not a JSON object'], 'invalid_json');
    if (area === 'response') return this.handleResponseUrl(res, call);
    return this.handleApi(res, call);
  }

  private handleApi(res: ServerResponse, call: RecordedCall): void {
    const { method, params } = call;
    const bearer = /^Bearer (.+)$/.exec(call.headers.authorization ?? '')?.[1];
    // Newer than the spec snapshot, and only an app-level token in the header may call it.
    if (method === 'apps.connections.open') return this.answer(res, call, 200, this.socketMode.open(bearer, this.started.baseUrl));
    if (!this.workspace.implements(method)) return this.answer(res, call, 200, { ok: false, error: 'unknown_method' });
    if ((bearer ?? params.token) !== this.botToken) return this.answer(res, call, 200, { ok: false, error: 'invalid_auth' });
    const problems = [...checkApiParams(method, params), ...checkText(params.text)];
    if (params.blocks !== undefined) problems.push(...checkBlocks(params.blocks));
    if (problems.length > 0) return this.refuse(res, call, problems);
    const outcome = this.workspace.handle(method, params);
    if ('problems' in outcome) return this.refuse(res, call, outcome.problems);
    this.answer(res, call, 200, outcome.body);
  }

  private handleResponseUrl(res: ServerResponse, call: RecordedCall): void {
    const uses = this.calls.filter((c) => c.responseUrlName === call.responseUrlName && c.response?.status === 200).length;
    if (uses >= RESPONSE_URL_USES) {
      return this.refuse(res, call, [`response_url used more than ${RESPONSE_URL_USES} times`], 'used_url', 404);
    }
    const problems = checkResponseUrlBody(call.params);
    if (problems.length > 0) return this.refuse(res, call, problems, 'invalid_arguments', 400);
    this.answer(res, call, 200, { ok: true });
  }

  private refuse(res: ServerResponse, call: RecordedCall, problems: string[], error = 'invalid_arguments', status = 200): void {
    const violation: Violation = { method: call.method, problems, params: call.params };
    if (call.responseUrlName !== undefined) violation.responseUrlName = call.responseUrlName;
    this.violations.push(violation);
    // Slack lists the reasons in response_metadata, which the SDK logs.
    const messages = problems.map((problem) => `[ERROR] ${problem}`);
    this.answer(res, call, status, { ok: false, error, response_metadata: { messages } });
  }

  private fail(res: ServerResponse, call: RecordedCall, fault: Fault): void {
    switch (fault.kind) {
      case 'rate_limited':
        return this.answer(res, call, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfterSeconds) });
      case 'http_error': {
        const text = 'fake Slack: injected HTTP error';
        call.response = { status: fault.status, body: text };
        res.writeHead(fault.status, { 'content-type': 'text/plain' });
        res.end(text);
        return;
      }
      case 'api_error':
        return this.answer(res, call, 200, { ok: false, error: fault.error });
      case 'hang':
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
    }
  }

  private answer(res: ServerResponse, call: RecordedCall, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
    call.response = { status, body };
    sendJson(res, status, body, headers);
  }
}
