import { api } from '@pagerduty/pdjs';
import type { IncidentRef, IncidentRequest, PagerPort, PagerResult } from '../../ports/pager.js';
import { clip, describeAnswer, MAX_SUMMARY_LENGTH, pdjsOptions, type PagerCall } from './pagerduty-call.js';

/** What the REST API needs: a token, the requester's e-mail, and the service incidents open on. */
export interface RestSettings {
  apiToken: string;
  /** E-mail of a PagerDuty user; the `From` header PagerDuty requires on every change. */
  from: string;
  serviceId: string;
  urgency: 'high' | 'low';
  /** Base URL without a trailing slash, e.g. `https://api.pagerduty.com`. */
  apiUrl: string;
}

const NO_INCIDENT_ID = 'the incident has no PagerDuty incident id (it was not opened through the REST API)';

/** The PagerPort over the REST API: an incident on the configured service, notes on it, and its resolution. */
export function createRestPager(settings: RestSettings, call: PagerCall): PagerPort {
  const { apiToken, from, serviceId, urgency, apiUrl } = settings;

  // pdjs's REST call accepts a full `url` (its `server` option would force https) and adds the token and the
  // versioned Accept header; From and the exact Content-Type the spec lists are ours to add.
  async function send(method: 'POST' | 'PUT', path: string, data: object, signal: AbortSignal): Promise<{ status: number; data: unknown }> {
    const response = await api({
      token: apiToken,
      tokenType: 'token',
      url: `${apiUrl}${path}`,
      method,
      data,
      headers: { From: from, 'Content-Type': 'application/json' },
      ...pdjsOptions(signal),
    });
    return { status: response.status, data: response.data };
  }

  return {
    mode: 'rest',

    trigger: (incident) =>
      call('trigger', async (signal): Promise<PagerResult<IncidentRef>> => {
        const answer = await send('POST', '/incidents', { incident: incidentBody(incident, serviceId, urgency) }, signal);
        if (answer.status !== 201) return { ok: false, error: describeAnswer(answer.status, answer.data) };
        const created = incidentIn(answer.data);
        if (!created) return { ok: false, error: 'PagerDuty answered 201 without an incident id' };
        return { ok: true, value: { dedupKey: incident.dedupKey, incidentId: created.id, ...(created.htmlUrl ? { htmlUrl: created.htmlUrl } : {}) } };
      }),

    note: (incident, text) =>
      call('note', async (signal): Promise<PagerResult<void>> => {
        if (!incident.incidentId) return { ok: false, error: NO_INCIDENT_ID };
        const answer = await send('POST', `/incidents/${encodeURIComponent(incident.incidentId)}/notes`, { note: { content: text } }, signal);
        return succeeded(answer);
      }),

    resolve: (incident, summary) =>
      call('resolve', async (signal): Promise<PagerResult<void>> => {
        if (!incident.incidentId) return { ok: false, error: NO_INCIDENT_ID };
        // `resolution` lands on the incident's resolve log entry, so the reason travels with the status change.
        const update = { incident: { type: 'incident_reference', status: 'resolved', resolution: summary } };
        const answer = await send('PUT', `/incidents/${encodeURIComponent(incident.incidentId)}`, update, signal);
        return succeeded(answer);
      }),
  };
}

function incidentBody(incident: IncidentRequest, serviceId: string, urgency: 'high' | 'low'): Record<string, unknown> {
  return {
    type: 'incident',
    title: clip(incident.summary, MAX_SUMMARY_LENGTH),
    service: { id: serviceId, type: 'service_reference' },
    urgency,
    incident_key: incident.dedupKey,
    body: { type: 'incident_body', details: details(incident) },
  };
}

// A REST incident has no source, severity, links or structured details: they go into its body text.
function details(incident: IncidentRequest): string {
  return [
    `Source: ${incident.source}`,
    `Severity: ${incident.severity}`,
    ...incident.links.map((link) => `${link.text}: ${link.href}`),
    '',
    JSON.stringify(incident.customDetails, null, 2),
  ].join('\n');
}

function incidentIn(data: unknown): { id: string; htmlUrl: string | undefined } | undefined {
  if (typeof data !== 'object' || data === null || !('incident' in data)) return undefined;
  const incident = data.incident;
  if (typeof incident !== 'object' || incident === null || !('id' in incident) || typeof incident.id !== 'string') return undefined;
  const htmlUrl = 'html_url' in incident && typeof incident.html_url === 'string' ? incident.html_url : undefined;
  return { id: incident.id, htmlUrl };
}

function succeeded(answer: { status: number; data: unknown }): PagerResult<void> {
  return answer.status >= 200 && answer.status < 300 ? { ok: true, value: undefined } : { ok: false, error: describeAnswer(answer.status, answer.data) };
}
