import type { Logger } from '../../ports/logger.js';
import type { PagerResult } from '../../ports/pager.js';

/** Runs one PagerDuty request under the adapter's deadline; the work gets the signal that aborts it. */
export type PagerCall = <T>(operation: string, work: (signal: AbortSignal) => Promise<PagerResult<T>>) => Promise<PagerResult<T>>;

/** What every PagerDuty call shares: its deadline, the secrets its errors must never show, and where failures are logged. */
export interface PagerCallOptions {
  timeoutMs: number;
  secrets: readonly (string | undefined)[];
  logger: Logger;
}

/** PagerDuty's documented limit on an event's summary, kept for REST titles too so both modes say the same. */
export const MAX_SUMMARY_LENGTH = 1024;

const MAX_ERROR_LENGTH = 300;

/**
 * pdjs request options that leave no pdjs timer behind. pdjs's `requestTimeout` aborts nothing: it only starts a
 * no-op timer (30 s by default) that a failed request never clears, so 0 turns it off and our signal does the work.
 * On a 429 pdjs tries three more times after `retryTimeout` (20 s by default); a wait that outlives our deadline
 * would be a live timer after the call returned, so pdjs retries at once, inside the deadline.
 */
export function pdjsOptions(signal: AbortSignal): { signal: AbortSignal; requestTimeout: number; retryTimeout: number } {
  return { signal, requestTimeout: 0, retryTimeout: 0 };
}

/**
 * A `PagerCall` that aborts the request at the deadline and answers then even if the client has not let go yet,
 * turns every throw into `{ ok: false }`, strips secrets from the reason, and logs each failure.
 */
export function createPagerCall({ timeoutMs, secrets, logger }: PagerCallOptions): PagerCall {
  const hidden = secrets.filter((secret): secret is string => secret !== undefined && secret !== '');
  return async (operation, work) => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<PagerResult<never>>((resolve) => {
      timer = setTimeout(() => {
        // Settled before the abort, so the deadline's answer wins over the abort error it provokes.
        resolve({ ok: false, error: `PagerDuty did not answer within ${timeoutMs} ms` });
        controller.abort();
      }, timeoutMs);
    });
    const attempt = Promise.resolve()
      .then(() => work(controller.signal))
      .catch((error: unknown): PagerResult<never> => ({ ok: false, error: describeFailure(error) }));
    const result = await Promise.race([attempt, expired]).finally(() => clearTimeout(timer));
    if (result.ok) return result;
    const error = redact(result.error, hidden);
    logger.warn({ operation, error }, 'PagerDuty call failed');
    return { ok: false, error };
  };
}

/** The reason for a non-success answer, with PagerDuty's own message when the body carries one. */
export function describeAnswer(status: number, body: unknown): string {
  const said = messageIn(body);
  const reason = status === 429 ? 'PagerDuty is rate limiting requests (429)' : `PagerDuty answered ${status}`;
  return said ? `${reason}: ${said}` : reason;
}

/** Reads a response body as JSON; `undefined` when it is empty or not JSON (a proxy's HTML page, say). */
export async function readJson(response: { text(): Promise<string> }): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Only PagerDuty's JSON carries a message worth showing; the status alone describes anything else.
    return undefined;
  }
}

/** `text`, cut to `max` characters with an ellipsis when longer. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function describeFailure(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    // pdjs's REST call rejects with the response itself when the body is not JSON.
    if ('status' in error && typeof error.status === 'number') return describeAnswer(error.status, undefined);
    // node-fetch puts the socket error's code (ECONNREFUSED, ECONNRESET, ENOTFOUND…) on its FetchError.
    if ('code' in error && typeof error.code === 'string') return `PagerDuty could not be reached (${error.code})`;
  }
  return `PagerDuty call failed: ${error instanceof Error ? error.message : String(error)}`;
}

// Events API errors are `{ message, errors[] }`; REST errors are `{ error: { message, errors[] } }`.
function messageIn(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const source = 'error' in body && typeof body.error === 'object' && body.error !== null ? body.error : body;
  const message = 'message' in source && typeof source.message === 'string' ? source.message : undefined;
  const details = 'errors' in source && Array.isArray(source.errors) ? source.errors.filter((e) => typeof e === 'string') : [];
  const parts = [message, ...details].filter((part): part is string => part !== undefined && part !== '');
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function redact(text: string, secrets: readonly string[]): string {
  return clip(
    secrets.reduce((out, secret) => out.replaceAll(secret, '[redacted]'), text),
    MAX_ERROR_LENGTH,
  );
}
