import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PagerPort, PagerResult } from '../../../src/ports/pager.js';
import { FakePagerDuty, type Fault } from '../../fakes/pagerduty/fake-pagerduty.js';
import { API_TOKEN, incidentRequest, pagerFor, recordingLogger, ROUTING_KEY, timersLeftBy } from './pager-harness.js';

// The hang tests' short deadline. Other tests keep the default 5 s, so that a loaded machine cannot turn a quick
// failure into a deadline; they show speed by failing with PagerDuty's answer well inside it.
const DEADLINE_MS = 200;
// Room for a loaded machine (two test workers on two cores); pdjs's own 30 s timer would be far outside it.
const TOLERANCE_MS = 300;
const FAST_MS = 2_000;

let fake: FakePagerDuty;

beforeEach(async () => {
  fake = new FakePagerDuty();
  await fake.start();
});

afterEach(() => fake.stop());

const CALLS: Record<string, (pager: PagerPort) => Promise<PagerResult<unknown>>> = {
  trigger: (pager) => pager.trigger(incidentRequest()),
  resolve: (pager) => pager.resolve({ dedupKey: 'rb-1', incidentId: 'PINCIDENT1' }, 'done'),
};
const REST_ONLY: Record<string, (pager: PagerPort) => Promise<PagerResult<unknown>>> = {
  note: (pager) => pager.note({ dedupKey: 'rb-1', incidentId: 'PINCIDENT1' }, 'ECS is stable'),
};

/** Runs one call and returns its result, how long it took, and whether it left a timer or a secret behind. */
async function attempt(mode: 'events' | 'rest', call: (pager: PagerPort) => Promise<PagerResult<unknown>>, timeoutMs?: number) {
  const logger = recordingLogger();
  const pager = pagerFor(fake, mode, { timeoutMs }, logger);
  const started = performance.now();
  let elapsedMs = 0;
  const { value: result, timersLeft } = await timersLeftBy(async () => {
    const answer = await call(pager);
    elapsedMs = performance.now() - started;
    return answer;
  });
  const said = JSON.stringify({ result, logged: logger.lines });
  return {
    result,
    elapsedMs,
    timersLeft,
    leaksSecret: said.includes(ROUTING_KEY) || said.includes(API_TOKEN),
    logged: logger.lines,
  };
}

const cases = (['events', 'rest'] as const).flatMap((mode) =>
  Object.entries({ ...CALLS, ...(mode === 'rest' ? REST_ONLY : {}) }).map(([name, call]) => ({ mode, name, call })),
);

describe.each(cases)('$mode $name', ({ mode, call }) => {
  it.each([
    ['a 500', { kind: 'http_error', status: 500 }, 'PagerDuty answered 500'],
    ['a 502 HTML page from a proxy', { kind: 'http_error', status: 502, body: '<html>Bad Gateway</html>' }, 'PagerDuty answered 502'],
    ['429 on every try', { kind: 'rate_limited' }, /^PagerDuty is rate limiting requests \(429\): /],
  ] satisfies [string, Fault, string | RegExp][])('fails fast on %s, with no secret and no timer left', async (_, fault, error) => {
    // pdjs tries a 429 four times in all (and anything else once); the fault outlasts them.
    fake.failNext(fault, 4);
    const outcome = await attempt(mode, call);
    expect(outcome.result).toMatchObject({ ok: false, error: expect.stringMatching(error) });
    expect(fake.requests).toHaveLength(fault.kind === 'rate_limited' ? 4 : 1);
    expect(outcome.elapsedMs).toBeLessThan(FAST_MS);
    expect(outcome.timersLeft).toEqual([]);
    expect(outcome.leaksSecret).toBe(false);
    const reported = outcome.result.ok ? undefined : outcome.result.error;
    expect(outcome.logged).toMatchObject([{ level: 'warn', obj: { operation: expect.any(String), error: reported } }]);
  });

  it('gives up at the deadline on a hang, aborting the request, with no timer left', async () => {
    fake.failNext({ kind: 'hang' });
    const outcome = await attempt(mode, call, DEADLINE_MS);
    expect(outcome.result).toEqual({ ok: false, error: `PagerDuty did not answer within ${DEADLINE_MS} ms` });
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(outcome.elapsedMs).toBeLessThan(DEADLINE_MS + TOLERANCE_MS);
    expect(outcome.timersLeft).toEqual([]);
    expect(outcome.leaksSecret).toBe(false);
    // The socket was really closed, not just forgotten.
    await fake.waitFor(() => fake.requests.find((r) => r.abandoned));
  });

  it('fails fast when the connection is refused, with no timer left', async () => {
    await fake.refuseConnections();
    const outcome = await attempt(mode, call);
    expect(outcome.result).toEqual({ ok: false, error: 'PagerDuty could not be reached (ECONNREFUSED)' });
    expect(outcome.elapsedMs).toBeLessThan(FAST_MS);
    expect(outcome.timersLeft).toEqual([]);
    expect(outcome.leaksSecret).toBe(false);
  });
});

describe('secrets in answers', () => {
  it.each([
    ['events', { error: { message: `Invalid routing key ${ROUTING_KEY}` } }],
    ['rest', { error: { message: `Token ${API_TOKEN} is not valid`, code: 2006 } }],
  ] as const)('%s: a secret PagerDuty echoes is redacted from the error and the log', async (mode, body) => {
    fake.failNext({ kind: 'http_error', status: 401, body: JSON.stringify(body) });
    const outcome = await attempt(mode, CALLS.trigger!);
    expect(outcome.result).toMatchObject({ ok: false, error: expect.stringMatching(/^PagerDuty answered 401: .*\[redacted\]/) });
    expect(outcome.leaksSecret).toBe(false);
  });
});

describe('a single 429', () => {
  it.each(['events', 'rest'] as const)('%s: is absorbed by the retry pdjs makes at once, inside the deadline', async (mode) => {
    fake.failNext({ kind: 'rate_limited' });
    const outcome = await attempt(mode, CALLS.trigger!);
    expect(outcome.result.ok).toBe(true);
    expect(fake.requests.map((r) => r.response?.status)).toEqual([429, mode === 'events' ? 202 : 201]);
    expect(outcome.timersLeft).toEqual([]);
    expect(fake.violations).toEqual([]);
  });
});
