import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../../src/ports/clock.js';
import { LocalHttpServer } from '../local-http-server.js';

/**
 * How a path answers. `delayMs` is real time (the probe measures real latency); `bodyBytes` streams a body of that
 * many bytes (Infinity: until the client goes away) instead of `body`. 'hang' never answers.
 */
export type HealthBehaviour =
  | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number; bodyBytes?: number }
  | 'hang';

/** A request the server received. */
export interface HealthRequest {
  path: string;
  method: string;
  /** Clock time (ms) when it arrived: the fake clock's when one was given, else the wall clock's. */
  at: number;
  /** The client's port: one seen before means a connection was reused. */
  remotePort: number;
  headers: IncomingHttpHeaders;
  /** Set once the client went away before the whole answer was sent (it gave up, or stopped reading). */
  abandoned: boolean;
}

const CHUNK = Buffer.alloc(16 * 1024, 'x');

/**
 * A service's HTTP endpoints on 127.0.0.1, for health probes: each path answers as the test says, now or from a
 * clock time on, and every request is logged. Paths nobody configured answer 404. Its `url` is the base URL, e.g.
 * http://127.0.0.1:41234.
 */
export class FakeHealthServer extends LocalHttpServer {
  readonly requests: HealthRequest[] = [];
  private readonly timelines = new Map<string, { at: number; behaviour: HealthBehaviour }[]>();
  private readonly clock: Clock | undefined;

  /** `clock` stamps the request log and drives `schedule`. */
  constructor(options: { clock?: Clock } = {}) {
    super('the fake health server');
    this.clock = options.clock;
  }

  /** The full URL of a path. */
  urlFor(path: string): string {
    return `${this.url}${path}`;
  }

  /** From now on the path answers this way (replacing anything scheduled). */
  set(path: string, behaviour: HealthBehaviour): void {
    this.timelines.set(path, [{ at: -Infinity, behaviour }]);
  }

  /** 200 with a small JSON body. */
  healthy(path: string): void {
    this.set(path, { status: 200, body: '{"status":"UP"}', headers: { 'content-type': 'application/json' } });
  }

  /** An error status, 500 unless told. */
  failing(path: string, status = 500): void {
    this.set(path, { status, body: '{"status":"DOWN"}', headers: { 'content-type': 'application/json' } });
  }

  /** A redirect elsewhere, as a health URL behind a login wall answers. */
  redirect(path: string, location: string, status = 302): void {
    this.set(path, { status, headers: { location } });
  }

  /** Never answers; the client has to give up. */
  hang(path: string): void {
    this.set(path, 'hang');
  }

  /** Behaviours from clock times on (needs the clock); each takes over once the clock reaches its time. */
  schedule(path: string, timeline: { at: number | Date; behaviour: HealthBehaviour }[]): void {
    if (!this.clock) throw new Error('schedule needs the fake health server to have a clock');
    const entries = [...(this.timelines.get(path) ?? []), ...timeline.map((t) => ({ at: +t.at, behaviour: t.behaviour }))];
    this.timelines.set(path, entries.sort((a, b) => a.at - b.at));
  }

  /** Requests of one path, in arrival order. */
  requestsTo(path: string): HealthRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private now(): number {
    return this.clock ? this.clock.now() : Date.now();
  }

  private behaviourOf(path: string, at: number): HealthBehaviour | undefined {
    return this.timelines
      .get(path)
      ?.filter((t) => t.at <= at)
      .at(-1)?.behaviour;
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _ of req); // a probe sends no body; draining keeps the connection usable if one does
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const request: HealthRequest = {
      path,
      method: req.method ?? '',
      at: this.now(),
      remotePort: req.socket.remotePort ?? 0,
      headers: req.headers,
      abandoned: false,
    };
    this.requests.push(request);
    res.on('close', () => {
      if (!res.writableFinished) request.abandoned = true;
    });

    const behaviour = this.behaviourOf(path, request.at) ?? { status: 404, body: 'not found' };
    if (behaviour === 'hang') return;
    if (behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    if (res.destroyed) return;
    if (behaviour.bodyBytes === undefined) {
      const body = behaviour.body ?? '';
      res.writeHead(behaviour.status, { 'content-length': Buffer.byteLength(body), ...behaviour.headers });
      res.end(body);
      return;
    }
    const finite = Number.isFinite(behaviour.bodyBytes);
    res.writeHead(behaviour.status, { ...(finite ? { 'content-length': behaviour.bodyBytes } : {}), ...behaviour.headers });
    for (let left = behaviour.bodyBytes; left > 0 && !res.destroyed; left -= CHUNK.length) {
      const more = res.write(left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left));
      if (!more) await drainedOrClosed(res);
    }
    if (!res.destroyed) res.end();
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}
