import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPager } from '../../../src/adapters/pagerduty/create-pager.js';
import { FakePagerDuty } from '../../fakes/pagerduty/fake-pagerduty.js';
import { API_TOKEN, FROM, incidentRequest, pagerFor, recordingLogger, ROUTING_KEY, SERVICE_ID } from './pager-harness.js';

let fake: FakePagerDuty;

beforeEach(async () => {
  fake = new FakePagerDuty();
  await fake.start();
});

afterEach(() => fake.stop());

describe('createPager mode', () => {
  it.each([
    ['rest', { routingKey: ROUTING_KEY, apiToken: API_TOKEN, from: FROM, serviceId: SERVICE_ID }],
    ['events', { routingKey: ROUTING_KEY, apiToken: API_TOKEN, from: FROM }],
    ['events', { routingKey: ROUTING_KEY, apiToken: API_TOKEN, serviceId: SERVICE_ID }],
    ['events', { routingKey: ROUTING_KEY }],
    ['off', { apiToken: API_TOKEN, from: FROM }],
    ['off', {}],
  ] as const)('is %s with %j', (mode, settings) => {
    expect(createPager({ apiUrl: fake.url, eventsUrl: fake.url, urgency: 'high', ...settings }, recordingLogger()).mode).toBe(mode);
  });

  it('off: every call says PagerDuty is not configured, without a request', async () => {
    const pager = createPager({ apiUrl: fake.url, eventsUrl: fake.url, urgency: 'high' }, recordingLogger());
    const notConfigured = { ok: false, error: 'PagerDuty is not configured' };
    expect(await pager.trigger(incidentRequest())).toEqual(notConfigured);
    expect(await pager.note({ dedupKey: 'rb-1', incidentId: 'P1' }, 'x')).toEqual(notConfigured);
    expect(await pager.resolve({ dedupKey: 'rb-1', incidentId: 'P1' }, 'done')).toEqual(notConfigured);
    expect(fake.requests).toEqual([]);
  });
});

describe('events mode', () => {
  it('triggers and resolves one incident with the rollback id as dedup key', async () => {
    const pager = pagerFor(fake, 'events');
    const request = incidentRequest();

    const triggered = await pager.trigger(request);
    if (!triggered.ok) throw new Error(triggered.error);
    expect(triggered.value).toEqual({ dedupKey: request.dedupKey });
    expect(await pager.resolve(triggered.value, 'ROLLBACK COMPLETE production/api')).toEqual({ ok: true, value: undefined });

    expect(fake.violations).toEqual([]);
    expect(fake.events).toEqual([
      {
        routing_key: ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: request.dedupKey,
        payload: {
          summary: request.summary,
          source: 'production/api',
          severity: 'error',
          custom_details: request.customDetails,
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        },
        links: request.links,
        client: 'rollback-bot',
      },
      { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: request.dedupKey },
    ]);
    expect(fake.incidents).toMatchObject([{ incident_key: request.dedupKey, status: 'resolved' }]);
    // Events carry the key in the body only: no REST token, no REST Accept header.
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
    expect(fake.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('has no notes: note succeeds without a request', async () => {
    expect(await pagerFor(fake, 'events').note({ dedupKey: 'rb-1' }, 'ECS is stable')).toEqual({ ok: true, value: undefined });
    expect(fake.requests).toEqual([]);
  });

  it('cuts a summary to the 1024 characters PagerDuty allows', async () => {
    expect((await pagerFor(fake, 'events').trigger(incidentRequest({ summary: 'x'.repeat(3000) }))).ok).toBe(true);
    const summary = (fake.events[0]?.payload as { summary: string }).summary;
    expect(summary).toHaveLength(1024);
    expect(summary.endsWith('…')).toBe(true);
    expect(fake.violations).toEqual([]);
  });

  it('reaches an Events URL behind a proxy path', async () => {
    // The fake serves /v2/enqueue at its root, so a path prefix shows up as a 404: the URL was used as given.
    const result = await pagerFor(fake, 'events', { eventsUrl: `${fake.url}/pagerduty-events` }).trigger(incidentRequest());
    expect(result).toEqual({ ok: false, error: 'PagerDuty answered 404: Not Found' });
    expect(fake.requests[0]?.path).toBe('/pagerduty-events/v2/enqueue');
  });
});

describe('rest mode', () => {
  it('opens an incident on the service, adds a note and resolves it, always naming the requester', async () => {
    const pager = pagerFor(fake, 'rest', { urgency: 'low' });
    const request = incidentRequest();

    const opened = await pager.trigger(request);
    if (!opened.ok) throw new Error(opened.error);
    const incident = fake.incidents[0];
    expect(opened.value).toEqual({ dedupKey: request.dedupKey, incidentId: incident?.id, htmlUrl: incident?.html_url });
    expect(await pager.note(opened.value, 'api: 2/2 running, health 200')).toEqual({ ok: true, value: undefined });
    expect(await pager.resolve(opened.value, 'ROLLBACK COMPLETE in 4m 10s')).toEqual({ ok: true, value: undefined });

    expect(fake.violations).toEqual([]);
    expect(fake.incidents).toMatchObject([
      {
        title: request.summary,
        serviceId: SERVICE_ID,
        urgency: 'low',
        incident_key: request.dedupKey,
        openedVia: 'rest',
        status: 'resolved',
        resolution: 'ROLLBACK COMPLETE in 4m 10s',
        notes: [{ content: 'api: 2/2 running, health 200', from: FROM }],
      },
    ]);
    expect(incident?.details).toContain('Slack thread: https://example.slack.com/archives/C0INCIDENTS/p1700000000000100');
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /incidents',
      `POST /incidents/${incident?.id}/notes`,
      `PUT /incidents/${incident?.id}`,
    ]);
    for (const { headers } of fake.requests) {
      expect(headers).toMatchObject({
        from: FROM,
        authorization: `Token token=${API_TOKEN}`,
        accept: 'application/vnd.pagerduty+json;version=2',
        'content-type': 'application/json',
      });
    }
  });

  it('cannot note or resolve an incident without a REST id, and says so without a request', async () => {
    const pager = pagerFor(fake, 'rest');
    const note = await pager.note({ dedupKey: 'rb-1' }, 'x');
    const resolve = await pager.resolve({ dedupKey: 'rb-1' }, 'x');
    expect(note).toMatchObject({ ok: false, error: expect.stringContaining('no PagerDuty incident id') });
    expect(resolve).toEqual(note);
    expect(fake.requests).toEqual([]);
  });

  it("passes on PagerDuty's reason when it refuses a call", async () => {
    const pager = pagerFor(fake, 'rest');
    expect((await pager.trigger(incidentRequest())).ok).toBe(true);
    const again = await pager.trigger(incidentRequest());
    expect(again).toEqual({
      ok: false,
      error: "PagerDuty answered 400: Invalid Input Provided; Open incident with key 'rb-01JROLLBACK' already exists on this service",
    });
    expect(await pager.note({ dedupKey: 'rb-1', incidentId: 'PNOPE01' }, 'x')).toEqual({ ok: false, error: 'PagerDuty answered 404: Not Found' });
  });
});
