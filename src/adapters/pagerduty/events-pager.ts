// pdjs's `event()` only builds `https://<server>/v2/enqueue`, so it reaches neither a proxy path nor the tests'
// http:// fake. Its `api()` takes a full URL but always sends REST headers: `Authorization: Token token=<token>`
// (the REST token, or the string "undefined" in events mode) and the REST Accept header. The generic request that
// `event()` itself calls takes a full URL and adds only Content-Type and User-Agent, so Events go through it: same
// client and wire format as `event()`, our URL. pdjs has no export map, so the module is importable; an upgrade
// that moves it fails at import time, in every test.
import { request } from '@pagerduty/pdjs/build/src/common.js';
import type { IncidentRef, IncidentRequest, PagerPort, PagerResult } from '../../ports/pager.js';
import { clip, describeAnswer, MAX_SUMMARY_LENGTH, pdjsOptions, readJson, type PagerCall } from './pagerduty-call.js';

/** Where Events go and with which integration key. */
export interface EventsSettings {
  routingKey: string;
  /** Base URL without a trailing slash, e.g. `https://events.pagerduty.com`. */
  eventsUrl: string;
}

const ACCEPTED = 202;

/** The PagerPort over Events API v2: trigger and resolve by dedup key; notes need the REST API, so there are none. */
export function createEventsPager({ routingKey, eventsUrl }: EventsSettings, call: PagerCall): PagerPort {
  const url = `${eventsUrl}/v2/enqueue`;

  async function enqueue(event: Record<string, unknown>, signal: AbortSignal): Promise<PagerResult<string | undefined>> {
    const response = await request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ routing_key: routingKey, ...event }),
      ...pdjsOptions(signal),
    });
    const body = await readJson(response);
    if (response.status !== ACCEPTED) return { ok: false, error: describeAnswer(response.status, body) };
    const dedupKey = typeof body === 'object' && body !== null && 'dedup_key' in body ? body.dedup_key : undefined;
    return { ok: true, value: typeof dedupKey === 'string' ? dedupKey : undefined };
  }

  return {
    mode: 'events',

    trigger: (incident) =>
      call('trigger', async (signal): Promise<PagerResult<IncidentRef>> => {
        const sent = await enqueue(triggerEvent(incident), signal);
        return sent.ok ? { ok: true, value: { dedupKey: sent.value ?? incident.dedupKey } } : sent;
      }),

    note: async () => ({ ok: true, value: undefined }),

    resolve: (incident) =>
      call('resolve', async (signal): Promise<PagerResult<void>> => {
        const sent = await enqueue({ event_action: 'resolve', dedup_key: incident.dedupKey }, signal);
        return sent.ok ? { ok: true, value: undefined } : sent;
      }),
  };
}

function triggerEvent(incident: IncidentRequest): Record<string, unknown> {
  return {
    event_action: 'trigger',
    dedup_key: incident.dedupKey,
    payload: {
      summary: clip(incident.summary, MAX_SUMMARY_LENGTH),
      source: incident.source,
      severity: incident.severity,
      custom_details: incident.customDetails,
      timestamp: new Date().toISOString(),
    },
    links: incident.links,
    client: 'rollback-bot',
  };
}
