import { createHook } from 'node:async_hooks';
import { createPager, type PagerSettings } from '../../../src/adapters/pagerduty/create-pager.js';
import type { Logger } from '../../../src/ports/logger.js';
import type { IncidentRequest, PagerPort } from '../../../src/ports/pager.js';
import type { FakePagerDuty } from '../../fakes/pagerduty/fake-pagerduty.js';

/** The Events integration key the tests configure; it must never appear in an error or a log line. */
export const ROUTING_KEY = 'R0UT1NGKEY5ECRET0000000000000042';
/** The REST token the tests configure; it must never appear in an error or a log line. */
export const API_TOKEN = 'u+T0KEN5ECRET-zyxwvu';
/** The requester the REST calls name in `From`. */
export const FROM = 'rollback-bot@example.com';
/** The REST service incidents open on. */
export const SERVICE_ID = 'PSERVICE1';

/** A logger that keeps what it was given, to check what failures log. */
export function recordingLogger(): Logger & { lines: { level: string; obj: object; msg?: string }[] } {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj, ...(msg === undefined ? {} : { msg }) });
    };
  const logger = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

/** A pager in `mode` pointed at the fake, with whatever settings `overrides` changes. */
export function pagerFor(
  fake: FakePagerDuty,
  mode: 'events' | 'rest',
  overrides: Partial<PagerSettings> = {},
  logger: Logger = recordingLogger(),
): PagerPort {
  const base: PagerSettings = { apiUrl: fake.url, eventsUrl: fake.url, urgency: 'high', routingKey: ROUTING_KEY };
  const rest = mode === 'rest' ? { apiToken: API_TOKEN, from: FROM, serviceId: SERVICE_ID } : {};
  return createPager({ ...base, ...rest, ...overrides }, logger);
}

/** A rollback's incident request. */
export function incidentRequest(overrides: Partial<IncidentRequest> = {}): IncidentRequest {
  return {
    dedupKey: 'rb-01JROLLBACK',
    summary: 'ROLLBACK IN PROGRESS production/api: api:42 → api:41 (asked by alice: 5xx spike)',
    source: 'production/api',
    severity: 'error',
    customDetails: { environment: 'production', services: ['api'], from: 'api:42', to: 'api:41' },
    links: [{ href: 'https://example.slack.com/archives/C0INCIDENTS/p1700000000000100', text: 'Slack thread' }],
    ...overrides,
  };
}

/**
 * Runs `work` and returns its value with the timers it started that still hold the process open afterwards, each
 * as the stack that created it. Counting `process.getActiveResourcesInfo()` before and after is noisy inside a
 * test runner; following each timer from creation to destruction is not.
 */
export async function timersLeftBy<T>(work: () => Promise<T>): Promise<{ value: T; timersLeft: string[] }> {
  const started = new Map<number, { timer: { hasRef(): boolean }; stack: string }>();
  const hook = createHook({
    init(asyncId, type, _triggerId, resource) {
      if (type === 'Timeout') started.set(asyncId, { timer: resource as { hasRef(): boolean }, stack: new Error('timer started').stack ?? '' });
    },
    destroy(asyncId) {
      started.delete(asyncId);
    },
  }).enable();
  try {
    const value = await work();
    // Node reports destroyed timers on its next turn.
    await new Promise((resolve) => setImmediate(resolve));
    return { value, timersLeft: [...started.values()].filter((t) => t.timer.hasRef()).map((t) => t.stack) };
  } finally {
    hook.disable();
  }
}
