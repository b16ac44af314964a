import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer } from '../local-http-server.js';
import { flatHeaders, readBody, sendJson } from '../slack/http-io.js';
import { IncidentBook, restError, type Answer, type FakeIncident } from './incident-book.js';
import { checkEvent, checkRestRequest, preparePagerDutySpecs, type RestOperation } from './pagerduty-specs.js';

/** A failure the fake answers with instead of handling a request. */
export type Fault =
  /** An HTTP error status with a plain-text body (or `body`), as a load balancer in front of PagerDuty answers. */
  | { kind: 'http_error'; status: number; body?: string }
  /** HTTP 429 with PagerDuty's JSON, as its rate limiter answers. */
  | { kind: 'rate_limited' }
  /** No answer at all: the request stays open until the client gives up or the fake stops. */
  | { kind: 'hang' };

/** One request the fake received, recorded on arrival. */
export interface RecordedRequest {
  api: 'events' | 'rest' | 'unknown';
  method: string;
  path: string;
  /** Request headers, lower-cased. */
  headers: Record<string, string>;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: unknown;
  /** Arrival time, epoch milliseconds (real time). */
  at: number;
  /** The answer; absent while the request is in flight or hanging. */
  response?: Answer;
  /** Set when the client closed the connection before any answer (an aborted request). */
  abandoned?: true;
}

/** A request the real PagerDuty would have refused, and why. */
export interface Violation {
  method: string;
  path: string;
  problems: string[];
}

// Routes of the REST operations the fake serves; Events are `POST /v2/enqueue`.
const REST_ROUTES: { method: string; pattern: RegExp; operation: RestOperation }[] = [
  { method: 'POST', pattern: /^\/incidents$/, operation: 'createIncident' },
  { method: 'POST', pattern: /^\/incidents\/([^/]+)\/notes$/, operation: 'createIncidentNote' },
  { method: 'PUT', pattern: /^\/incidents\/([^/]+)$/, operation: 'updateIncident' },
];

/**
 * One local HTTP server standing in for PagerDuty's Events API v2 and REST API, checking each request against their specs.
 * Its `url` is the base URL for both `PAGERDUTY_API_URL` and `PAGERDUTY_EVENTS_URL`.
 */
export class FakePagerDuty extends LocalHttpServer {
  /** Every request received, in order of arrival. */
  readonly requests: RecordedRequest[] = [];
  /** Events the Events API accepted, as sent. */
  readonly events: Record<string, unknown>[] = [];
  /** Requests refused because PagerDuty would have refused them; passing tests assert this stays empty. */
  readonly violations: Violation[] = [];
  private readonly book = new IncidentBook(() => this.url);
  private readonly faults: Fault[] = [];
  private readonly waiters = new Set<() => void>();

  constructor() {
    super('FakePagerDuty', (res, error) => sendJson(res, 500, { error: { message: String(error), code: 0 } }));
  }

  /** Incidents opened through either API, with their notes and status. */
  get incidents(): readonly FakeIncident[] {
    return this.book.incidents;
  }

  /** Listens on 127.0.0.1 on an ephemeral port; resolves with the base URL. */
  override start(): Promise<string> {
    preparePagerDutySpecs();
    return super.start();
  }

  /** Stops listening, so new connections are refused (ECONNREFUSED) until `acceptConnections`; open ones are cut. */
  refuseConnections(): Promise<void> {
    return this.stop();
  }

  /** Listens again on the same port after `refuseConnections`. */
  async acceptConnections(): Promise<void> {
    if (!this.listening) await super.start();
  }

  /** Makes the next `times` requests, to either API, fail with `fault`. */
  failNext(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  /**
   * Resolves with the probe's value as soon as it returns something other than undefined, null or false (checked
   * now and after every request, answer and disconnect); rejects after `timeoutMs` of real time, listing what arrived.
   */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 2_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const value = probe();
        if (value === undefined || value === null || value === false) return false;
        this.waiters.delete(onChange);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const onChange = (): void => {
        try {
          check();
        } catch (error) {
          this.waiters.delete(onChange);
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(onChange);
        const seen = this.requests.map((r) => `${r.method} ${r.path} ${r.response?.status ?? (r.abandoned ? 'abandoned' : 'open')}`);
        reject(new Error(`fake PagerDuty: nothing matched within ${timeoutMs} ms; received: ${seen.join(', ') || 'nothing'}`));
      }, timeoutMs);
      this.waiters.add(onChange);
      onChange();
    });
  }

  private changed(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    const route = REST_ROUTES.find((r) => r.method === method && r.pattern.test(path));
    const isEvent = method === 'POST' && path === '/v2/enqueue';
    const request: RecordedRequest = {
      api: isEvent ? 'events' : route ? 'rest' : 'unknown',
      method,
      path,
      headers: flatHeaders(req),
      body: parseJson(text),
      at: Date.now(),
    };
    this.requests.push(request);
    this.changed();
    const fault = this.faults.shift();
    if (fault) return this.fail(req, res, request, fault);
    if (isEvent) return this.handleEvent(res, request);
    if (!route) return this.refuse(res, request, [`${method} ${path} is not an operation of either API`], restError(404, 'Not Found', 2100));
    return this.handleRest(res, request, route.operation, decodeURIComponent(route.pattern.exec(path)?.[1] ?? ''));
  }

  private handleEvent(res: ServerResponse, request: RecordedRequest): void {
    const problems = checkEvent(request.body);
    if (problems.length > 0) {
      return this.refuse(res, request, problems, { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: problems } });
    }
    const event = request.body as Parameters<IncidentBook['applyEvent']>[0] & Record<string, unknown>;
    this.events.push(event);
    this.answer(res, request, this.book.applyEvent(event));
  }

  private handleRest(res: ServerResponse, request: RecordedRequest, operation: RestOperation, id: string): void {
    const problems = checkRestRequest(operation, request.headers, request.body);
    if (problems.length > 0) return this.refuse(res, request, problems, restError(400, 'Invalid Input Provided', 2001, problems));
    const from = request.headers.from ?? '';
    switch (operation) {
      case 'createIncident':
        return this.answer(res, request, this.book.create(request.body as Parameters<IncidentBook['create']>[0]));
      case 'createIncidentNote':
        return this.answer(res, request, this.book.addNote(id, (request.body as { note: { content: string } }).note.content, from));
      case 'updateIncident':
        return this.answer(res, request, this.book.change(id, (request.body as { incident: Parameters<IncidentBook['change']>[1] }).incident));
    }
  }

  private refuse(res: ServerResponse, request: RecordedRequest, problems: string[], answer: Answer): void {
    this.violations.push({ method: request.method, path: request.path, problems });
    this.answer(res, request, answer);
  }

  private fail(req: IncomingMessage, res: ServerResponse, request: RecordedRequest, fault: Fault): void {
    switch (fault.kind) {
      case 'http_error': {
        const text = fault.body ?? `fake PagerDuty: injected HTTP ${fault.status}`;
        request.response = { status: fault.status, body: { text } };
        res.writeHead(fault.status, { 'content-type': 'text/plain' });
        res.end(text);
        return this.changed();
      }
      case 'rate_limited': {
        const body =
          request.api === 'events'
            ? { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' }
            : { error: { message: 'Rate Limit Exceeded', code: 2020 } };
        return this.answer(res, request, { status: 429, body });
      }
      case 'hang':
        // The socket closing with no answer while the fake still listens is the client giving up: proof it aborted.
        req.socket.once('close', () => {
          if (request.response || !this.listening) return;
          request.abandoned = true;
          this.changed();
        });
        return;
    }
  }

  private answer(res: ServerResponse, request: RecordedRequest, answer: Answer): void {
    request.response = answer;
    sendJson(res, answer.status, answer.body);
    this.changed();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Kept as text, so the spec checks report a body that is not a JSON object.
    return text;
  }
}
