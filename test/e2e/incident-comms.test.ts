import { afterEach, expect, it } from 'vitest';
import { startHarness, textOf, type Harness } from '../support/bot-harness.js';

let h: Harness;
afterEach(async () => {
  expect(h.slack.violations).toEqual([]);
  expect(h.ecs.violations).toEqual([]);
  expect(h.cloudwatch.violations).toEqual([]);
  expect(h.pagerduty.violations).toEqual([]);
  await h.stop();
});

const INCIDENTS = 'C0INCIDENTS';

async function finished(): Promise<void> {
  await h.waitFor((c) => c.method === 'chat.postEphemeral' && /finished|FAILED/.test(textOf(c)));
  await h.idle();
}

function announcement() {
  const top = h.slack.messagesIn(INCIDENTS);
  expect(top).toHaveLength(1);
  return { top: top[0]!, thread: h.slack.repliesIn(INCIDENTS, top[0]!.ts) };
}

async function confirmProduction(text: string): Promise<void> {
  await h.command(text);
  const call = await h.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.params).includes('rollback_confirm'));
  const ts = String((call.response!.body as { ts: string }).ts);
  await h.click({ ts, blocks: structuredClone((call.params as { blocks: unknown[] }).blocks) }, 'rollback_confirm', 'U0ALICE');
}

it('announces the rollback, threads its progress and completion, updates the top message, and triggers then resolves one incident', async () => {
  h = await startHarness();
  await confirmProduction('production api 5xx since the 14 deploy');
  await finished();

  const { top, thread } = announcement();
  const first = h.slack.callsTo('chat.postMessage').find((c) => (c.params as { channel: string }).channel === INCIDENTS)!;
  const started = textOf(first);
  expect(started).toContain('ROLLBACK IN PROGRESS');
  expect(started).toContain('production');
  expect(started).toContain('shieldai-production-api:14 → shieldai-production-api:13');
  expect(started).toContain('<@U0ALICE>');
  expect(started).toContain('5xx since the 14 deploy');

  expect(thread.length).toBeGreaterThanOrEqual(2);
  const last = thread[thread.length - 1]!;
  expect(last.text).toContain('ROLLBACK COMPLETE');
  expect(last.text).not.toContain('UNVERIFIED');
  expect(thread.slice(0, -1).some((m) => /rolling back|verifying/.test(m.text))).toBe(true);
  expect(top.updates).toBeGreaterThan(0);
  expect(top.text).toContain('ROLLBACK COMPLETE');
  expect(top.text).not.toContain('IN PROGRESS');

  const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
  const actions = h.pagerduty.events.map((e) => [e['event_action'], e['dedup_key']]);
  expect(actions).toEqual([
    ['trigger', rollback.id],
    ['resolve', rollback.id],
  ]);
  const trigger = h.pagerduty.events[0] as { payload: { custom_details: { environment: string } }; links: { href: string }[] };
  expect(trigger.payload.custom_details.environment).toBe('production');
  expect(trigger.links[0]!.href).toContain('/archives/C0INCIDENTS/p');
  const ephemeral = h.slack.ephemeralsTo('U0ALICE').find((e) => e.text.includes('Rolling back'))!;
  expect(ephemeral.text).toContain('/archives/C0INCIDENTS/p');
});

it('says ROLLBACK FAILED with ECS’s reason and leaves the incident open', async () => {
  h = await startHarness();
  h.ecs.setBehaviour('shieldai-staging', 'shieldai-staging-api', { failTasks: true }, { taskDefinition: 'shieldai-staging-api:13' });
  await h.command('staging api');
  await finished();
  const { top, thread } = announcement();
  const last = thread[thread.length - 1]!;
  expect(last.text).toContain('ROLLBACK FAILED');
  expect(JSON.stringify(last.blocks)).toContain('circuit breaker');
  expect(top.text).toContain('ROLLBACK FAILED');
  expect(h.pagerduty.events.map((e) => e['event_action'])).toEqual(['trigger']);
});

it('completes unverified, and says why, when the health URL fails after ECS is stable', async () => {
  h = await startHarness();
  h.health.failing('/health', 503);
  await confirmProduction('production api');
  await finished();
  const { top, thread } = announcement();
  const last = thread[thread.length - 1]!;
  expect(last.text).toContain('ROLLBACK COMPLETE (UNVERIFIED)');
  expect(last.text).toMatch(/api: http:\/\/127\.0\.0\.1:\d+\/health 503/);
  expect(top.text).toContain('UNVERIFIED');
  expect(h.pagerduty.events.map((e) => e['event_action'])).toEqual(['trigger']);
  const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
  expect(rollback.meta['verification']).toMatchObject({ verified: false });
  const metrics = await (await fetch(h.url.replace('/slack/events', '/metrics'))).text();
  expect(metrics).toContain('rollback_bot_rollbacks_total{environment="production",outcome="unverified"} 1');
});

it('completes unverified when a configured alarm is still in ALARM at the end of the window, and reports the alarm in the thread', async () => {
  h = await startHarness();
  h.cloudwatch.setAlarmState('shieldai-production-alb-5xx', 'ALARM', 'Threshold Crossed: 5xx > 5');
  await confirmProduction('production api');
  await finished();
  const { thread } = announcement();
  expect(thread.some((m) => JSON.stringify(m.blocks).includes('shieldai-production-alb-5xx') && JSON.stringify(m.blocks).includes('ALARM'))).toBe(true);
  expect(thread[thread.length - 1]!.text).toContain('alarm shieldai-production-alb-5xx is in ALARM');
});

it('turns verified once the health URL recovers within the window', async () => {
  h = await startHarness();
  h.health.schedule('/health', [
    { at: h.clock.now(), behaviour: { status: 500 } },
    { at: h.clock.now() + 3 * 60_000, behaviour: { status: 200 } },
  ]);
  await confirmProduction('production api');
  await finished();
  const { thread } = announcement();
  expect(thread[thread.length - 1]!.text).toContain('ROLLBACK COMPLETE');
  expect(thread[thread.length - 1]!.text).not.toContain('UNVERIFIED');
});

it('rolls back all the same when PagerDuty is down, and says so in the thread', async () => {
  h = await startHarness();
  await h.pagerduty.refuseConnections();
  await h.command('staging api');
  await finished();
  const { top, thread } = announcement();
  expect(thread.some((m) => m.text.includes('PagerDuty was unreachable'))).toBe(true);
  expect(thread[thread.length - 1]!.text).toContain('ROLLBACK COMPLETE');
  expect(top.text).toContain('ROLLBACK COMPLETE');
  expect((await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!.state).toBe('succeeded');
});

it('rolls back all the same when PagerDuty hangs, without waiting for it', async () => {
  h = await startHarness();
  h.pagerduty.failNext({ kind: 'hang' }, 5);
  await h.command('staging api');
  await finished();
  expect(announcement().thread.some((m) => m.text.includes('PagerDuty was unreachable'))).toBe(true);
});

it('opens the incident through the REST API with From, adds a note per phase, and resolves it', async () => {
  h = await startHarness({ pagerduty: 'rest' });
  await h.command('staging api');
  await finished();
  const [incident] = h.pagerduty.incidents;
  expect(incident).toBeDefined();
  expect(incident!.status).toBe('resolved');
  expect(incident!.notes.length).toBeGreaterThanOrEqual(2);
  expect(h.pagerduty.requests.filter((r) => r.path.startsWith('/incidents')).every((r) => r.headers['from'] === 'oncall@example.com')).toBe(true);
  expect(h.pagerduty.events).toEqual([]);
});

it('says in the announcement that PagerDuty is not configured when the config has no pagerduty section', async () => {
  h = await startHarness({ pagerduty: 'off' });
  await h.command('staging api');
  await finished();
  expect(JSON.stringify(announcement().top.blocks)).toContain('not configured');
  expect(h.pagerduty.requests).toEqual([]);
});

it('honours Slack’s 429 Retry-After and keeps the thread in order', async () => {
  h = await startHarness();
  h.slack.inject('chat.postMessage', { kind: 'rate_limited', retryAfterSeconds: 1 }, 2);
  await h.command('staging api');
  await finished();
  const { thread } = announcement();
  const limited = h.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.response?.status === 429);
  expect(limited).toHaveLength(2);
  expect(thread[thread.length - 1]!.text).toContain('ROLLBACK COMPLETE');
  const tss = thread.map((m) => Number(m.ts));
  expect(tss).toEqual([...tss].sort((a, b) => a - b));
});

it('escapes a reason that tries to ping the channel or a user', async () => {
  h = await startHarness();
  await h.command('staging api <!channel> ping <@U0BOSS> & <https://evil.example|click>');
  await finished();
  const posted = h.slack.calls.filter((c) => ['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(c.method));
  for (const call of posted) {
    const body = JSON.stringify(call.params);
    expect(body).not.toContain('<!channel>');
    expect(body).not.toContain('<@U0BOSS>');
    expect(body).not.toContain('<https://evil');
  }
  expect(textOf(posted.find((c) => (c.params as { channel: string }).channel === INCIDENTS)!)).toContain('&lt;!channel&gt; ping &lt;@U0BOSS&gt; &amp;');
  const audit = await h.bot.store.listAudit({ limit: 20 });
  expect(JSON.stringify(audit)).toContain('<!channel> ping <@U0BOSS> & <https://evil.example|click>');
});

it('truncates a 5,000-character reason with control characters in Slack, and keeps it verbatim in the audit log', async () => {
  h = await startHarness();
  const reason = `start\u0007\u001b[31m ${'x'.repeat(5000)} end`;
  await h.command(`staging api ${reason}`);
  await finished();
  const started = JSON.stringify(h.slack.calls.find((c) => c.method === 'chat.postMessage' && (c.params as { channel: string }).channel === INCIDENTS)!.params);
  expect(started).not.toMatch(/\\u0007|\\u001b/);
  expect(started).toContain(`start[31m ${'x'.repeat(400)}`);
  expect(started).not.toContain('x'.repeat(600));
  const requested = (await h.bot.store.listAudit({ limit: 50 })).find((a) => a.action === 'rollback.requested')!;
  expect((requested.detail as { reason: string }).reason).toBe(reason);
});

it('ends the thread’s progress with where each service ended, not the rollout it was in', async () => {
  h = await startHarness();
  await h.command('staging api');
  await finished();
  const progress = announcement().thread.filter((m) => m.text.startsWith('rolling back') || m.text.startsWith('verifying'));
  expect(progress.at(-1)!.text).toContain('api COMPLETED 2/2');
});
