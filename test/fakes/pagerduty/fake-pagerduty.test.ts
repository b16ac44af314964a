import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakePagerDuty } from './fake-pagerduty.js';
import { checkEventResponse, checkRestResponse } from './pagerduty-specs.js';

const TOKEN = 'y_NbAkKc66ryYTWUXYEu';
const REST_HEADERS = {
  Authorization: `Token token=${TOKEN}`,
  Accept: 'application/vnd.pagerduty+json;version=2',
  'Content-Type': 'application/json',
  From: 'oncall@example.com',
};
const TRIGGER = {
  routing_key: 'R0123456789ABCDEF0123456789ABCDE',
  event_action: 'trigger',
  dedup_key: 'rb-1',
  payload: { summary: 'Rolling back production/api', source: 'production/api', severity: 'error' },
  links: [{ href: 'https://slack.example.com/archives/C1/p1', text: 'Slack thread' }],
};
const NEW_INCIDENT = { incident: { type: 'incident', title: 'Rolling back production/api', service: { id: 'PSERVICE1', type: 'service_reference' }, incident_key: 'rb-1' } };

let fake: FakePagerDuty;

beforeEach(async () => {
  fake = new FakePagerDuty();
  await fake.start();
});

afterEach(() => fake.stop());

async function send(method: string, path: string, body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) {
  const response = await fetch(`${fake.url}${path}`, { method, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('FakePagerDuty Events API v2', () => {
  it('accepts a trigger and a resolve with one dedup key, answering 202 as the spec describes', async () => {
    const triggered = await send('POST', '/v2/enqueue', TRIGGER);
    const resolved = await send('POST', '/v2/enqueue', { routing_key: TRIGGER.routing_key, event_action: 'resolve', dedup_key: 'rb-1' });

    expect(triggered).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'rb-1' } });
    expect(checkEventResponse(triggered.body)).toEqual([]);
    expect(resolved.status).toBe(202);
    expect(fake.events).toHaveLength(2);
    expect(fake.incidents).toMatchObject([{ incident_key: 'rb-1', title: TRIGGER.payload.summary, status: 'resolved', openedVia: 'events' }]);
    expect(fake.violations).toEqual([]);
  });

  it('makes up a dedup key for a trigger without one, as PagerDuty does', async () => {
    const { dedup_key: _, ...keyless } = TRIGGER;
    const answer = await send('POST', '/v2/enqueue', keyless);
    expect(answer.body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each([
    ['a trigger without payload', { routing_key: 'R1', event_action: 'trigger', dedup_key: 'k' }, /trigger needs a payload/],
    ['a resolve without dedup_key', { routing_key: 'R1', event_action: 'resolve' }, /resolve needs the dedup_key/],
    ['an acknowledge without dedup_key', { routing_key: 'R1', event_action: 'acknowledge' }, /acknowledge needs the dedup_key/],
    ['a payload without severity', { ...TRIGGER, payload: { summary: 's', source: 'x' } }, /payload must have required property 'severity'/],
    ['an unknown action', { ...TRIGGER, event_action: 'escalate' }, /event_action must be equal to one of the allowed values/],
    ['a link that is not a URL', { ...TRIGGER, links: [{ href: 'slack thread' }] }, /links\/0\/href must match format "url"/],
    ['a summary over 1024 characters', { ...TRIGGER, payload: { ...TRIGGER.payload, summary: 'x'.repeat(1025) } }, /summary is longer than 1024/],
    ['no routing key', { event_action: 'resolve', dedup_key: 'k' }, /must have required property 'routing_key'/],
  ])('refuses %s with 400 and records the violation', async (_, event, problem) => {
    const answer = await send('POST', '/v2/enqueue', event);
    expect(answer).toMatchObject({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid' } });
    expect(fake.violations).toHaveLength(1);
    expect(fake.violations[0]?.problems.join('\n')).toMatch(problem);
    expect(fake.events).toEqual([]);
  });
});

describe('FakePagerDuty REST API', () => {
  it('creates an incident, adds a note and resolves it, answering as the spec describes', async () => {
    const created = await send('POST', '/incidents', { incident: { ...NEW_INCIDENT.incident, urgency: 'low', body: { type: 'incident_body', details: 'text' } } }, REST_HEADERS);
    const incident = created.body.incident as { id: string; html_url: string; incident_number: number; status: string };
    const noted = await send('POST', `/incidents/${incident.id}/notes`, { note: { content: 'ECS is stable' } }, REST_HEADERS);
    const resolved = await send('PUT', `/incidents/${incident.id}`, { incident: { type: 'incident_reference', status: 'resolved', resolution: 'done' } }, REST_HEADERS);

    expect(created.status).toBe(201);
    expect(incident).toMatchObject({ status: 'triggered', incident_number: 1, html_url: expect.stringMatching(/^https:\/\//) });
    expect(checkRestResponse('createIncident', created.status, created.body)).toEqual([]);
    expect(checkRestResponse('createIncidentNote', noted.status, noted.body)).toEqual([]);
    expect(checkRestResponse('updateIncident', resolved.status, resolved.body)).toEqual([]);
    expect(fake.incidents).toMatchObject([
      { id: incident.id, urgency: 'low', status: 'resolved', resolution: 'done', details: 'text', notes: [{ content: 'ECS is stable', from: 'oncall@example.com' }] },
    ]);
    expect(fake.violations).toEqual([]);
  });

  it("accepts pdjs's Content-Type with a charset", async () => {
    const answer = await send('POST', '/incidents', NEW_INCIDENT, { ...REST_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
    expect(answer.status).toBe(201);
    expect(fake.violations).toEqual([]);
  });

  it.each([
    ['without From', { From: undefined }, /header From is required/],
    ['with a From that is not an e-mail address', { From: 'oncall' }, /header From "oncall" must match format "email"/],
    ['without the versioned Accept header', { Accept: 'application/json' }, /header Accept "application\/json" is not application\/vnd.pagerduty\+json;version=2/],
    ['with a bearer token', { Authorization: `Bearer ${TOKEN}` }, /Authorization must be `Token token=/],
    ['with a form body type', { 'Content-Type': 'application/x-www-form-urlencoded' }, /header Content-Type .* must be equal to one of the allowed values/],
  ])('refuses a call %s with 400 and records the violation', async (_, change, problem) => {
    const headers = Object.fromEntries(Object.entries({ ...REST_HEADERS, ...change }).filter((e): e is [string, string] => e[1] !== undefined));
    const answer = await send('POST', '/incidents', NEW_INCIDENT, headers);
    expect(answer).toMatchObject({ status: 400, body: { error: { message: 'Invalid Input Provided', code: 2001 } } });
    expect(fake.violations[0]?.problems.join('\n')).toMatch(problem);
    expect(fake.incidents).toEqual([]);
  });

  it('checks bodies against the operation schema', async () => {
    await send('POST', '/incidents', { incident: { type: 'incident', title: 'no service' } }, REST_HEADERS);
    await send('PUT', '/incidents/P1', { incident: { type: 'incident_reference', status: 'closed' } }, REST_HEADERS);
    await send('POST', '/incidents/P1/notes', { content: 'not wrapped' }, REST_HEADERS);
    expect(fake.violations.map((v) => v.problems.join('; '))).toEqual([
      "body/incident must have required property 'service'",
      'body/incident/status must be equal to one of the allowed values',
      "body must have required property 'note'",
    ]);
  });

  it('rejects a second open incident with the same key on the service, and answers 404 for unknown incidents', async () => {
    await send('POST', '/incidents', NEW_INCIDENT, REST_HEADERS);
    const duplicate = await send('POST', '/incidents', NEW_INCIDENT, REST_HEADERS);
    const missing = await send('POST', '/incidents/PNOPE01/notes', { note: { content: 'x' } }, REST_HEADERS);
    expect(duplicate).toMatchObject({ status: 400, body: { error: { errors: [expect.stringMatching(/Open incident with key 'rb-1' already exists/)] } } });
    expect(missing).toMatchObject({ status: 404, body: { error: { message: 'Not Found', code: 2100 } } });
    expect(fake.incidents).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it('records calls to operations it does not serve as violations', async () => {
    const answer = await send('GET', '/incidents', undefined, REST_HEADERS);
    expect(answer.status).toBe(404);
    expect(fake.violations).toEqual([{ method: 'GET', path: '/incidents', problems: ['GET /incidents is not an operation of either API'] }]);
  });
});

describe('FakePagerDuty faults', () => {
  it('answers the next requests with an HTTP error or a rate limit, then normally', async () => {
    fake.failNext({ kind: 'http_error', status: 503 });
    fake.failNext({ kind: 'rate_limited' }, 2);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${fake.url}/v2/enqueue`, { method: 'POST', body: JSON.stringify(TRIGGER) })).status);
    expect(statuses).toEqual([503, 429, 429, 202]);
  });

  it('holds a hanging request until the client aborts, and records that it did', async () => {
    fake.failNext({ kind: 'hang' });
    const controller = new AbortController();
    const pending = fetch(`${fake.url}/v2/enqueue`, { method: 'POST', body: JSON.stringify(TRIGGER), signal: controller.signal });
    await fake.waitFor(() => fake.requests.length === 1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    const request = await fake.waitFor(() => fake.requests.find((r) => r.abandoned));
    expect(request.response).toBeUndefined();
  });

  it('refuses connections while it does not listen, on the same port afterwards', async () => {
    const url = fake.url;
    await fake.refuseConnections();
    const refused: unknown = await fetch(`${url}/v2/enqueue`, { method: 'POST', body: '{}' }).then(() => undefined, (error: unknown) => error);
    expect((refused as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    await fake.acceptConnections();
    expect(fake.url).toBe(url);
    expect((await send('POST', '/v2/enqueue', TRIGGER)).status).toBe(202);
  });

  it('waitFor rejects after its timeout, saying what arrived', async () => {
    await send('POST', '/v2/enqueue', TRIGGER);
    await expect(fake.waitFor(() => fake.requests.length > 1, 20)).rejects.toThrow('nothing matched within 20 ms; received: POST /v2/enqueue 202');
  });
});
