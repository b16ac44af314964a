/** A failure the fake answers with instead of handling a call. */
export type Fault =
  /** HTTP 429 `ratelimited` with a `Retry-After` header, as Slack's rate limiter answers. */
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  /** An HTTP error status (500, 502, 503…) with a plain-text body. */
  | { kind: 'http_error'; status: number }
  /** No answer at all: the request stays open until the client gives up or the fake stops. */
  | { kind: 'hang' }
  /** HTTP 200 `{ ok: false, error }`, e.g. `channel_not_found` or `not_in_channel`. */
  | { kind: 'api_error'; error: string };

/** Faults queued per target (a Web API method name, or `response_url`), each used once, in order. */
export class FaultQueue {
  private readonly queued = new Map<string, Fault[]>();

  /** Queues `fault` for the next `times` calls to `target`. */
  add(target: string, fault: Fault, times: number): void {
    const queue = this.queued.get(target) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.queued.set(target, queue);
  }

  /** The fault for this call to `target`, if one is queued. */
  take(target: string): Fault | undefined {
    return this.queued.get(target)?.shift();
  }
}
