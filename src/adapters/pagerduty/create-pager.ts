import type { Logger } from '../../ports/logger.js';
import type { PagerPort, PagerResult } from '../../ports/pager.js';
import { createEventsPager } from './events-pager.js';
import { createPagerCall } from './pagerduty-call.js';
import { createRestPager } from './rest-pager.js';

/** The PagerDuty settings from the environment (`EnvSettings['pagerduty']`) and the config file, plus a deadline. */
export interface PagerSettings {
  routingKey?: string | undefined;
  apiToken?: string | undefined;
  from?: string | undefined;
  /** REST API base URL without a trailing slash. */
  apiUrl: string;
  /** Events API base URL without a trailing slash. */
  eventsUrl: string;
  serviceId?: string | undefined;
  urgency: 'high' | 'low';
  /** Longest any one call may take before it is aborted and reported as failed; default 5 s. */
  timeoutMs?: number | undefined;
}

/** How long a PagerDuty call may hold up the rollback that made it. */
export const DEFAULT_PAGER_TIMEOUT_MS = 5_000;

const NOT_CONFIGURED: PagerResult<never> = { ok: false, error: 'PagerDuty is not configured' };

/**
 * The PagerPort for these settings: REST when a token, a From address and a service are all set (incidents get
 * notes), else Events API v2 when a routing key is set, else `off`, where every call fails without a request.
 */
export function createPager(settings: PagerSettings, logger: Logger): PagerPort {
  const { routingKey, apiToken, from, serviceId } = settings;
  const call = createPagerCall({
    timeoutMs: settings.timeoutMs ?? DEFAULT_PAGER_TIMEOUT_MS,
    secrets: [routingKey, apiToken],
    logger: logger.child({ component: 'pagerduty' }),
  });
  if (apiToken && from && serviceId) {
    return createRestPager({ apiToken, from, serviceId, urgency: settings.urgency, apiUrl: settings.apiUrl }, call);
  }
  if (routingKey) return createEventsPager({ routingKey, eventsUrl: settings.eventsUrl }, call);
  return {
    mode: 'off',
    trigger: async () => NOT_CONFIGURED,
    note: async () => NOT_CONFIGURED,
    resolve: async () => NOT_CONFIGURED,
  };
}
