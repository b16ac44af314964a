import { afterEach, expect, it } from 'vitest';
import { startHarness, textOf, type Harness } from '../support/bot-harness.js';
import { SAMPLE_CONFIG_YAML } from '../support/catalog.js';

let h: Harness;
afterEach(async () => {
  expect(h.slack.violations).toEqual([]);
  expect(h.ecs.violations).toEqual([]);
  await h.stop();
});

const INCIDENTS = 'C0INCIDENTS';

async function result(): Promise<string> {
  const call = await h.waitFor((c) => c.method === 'chat.postEphemeral' && /finished|FAILED/.test(textOf(c)), 20_000);
  await h.idle();
  return textOf(call);
}

function thread(): string[] {
  const top = h.slack.messagesIn(INCIDENTS)[0]!;
  return h.slack.repliesIn(INCIDENTS, top.ts).map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`);
}

it('retries a throttled or failing ECS with backoff and completes the rollback', async () => {
  h = await startHarness();
  h.ecs.failNext('DescribeServices', 'throttle', 2);
  h.ecs.failNext('UpdateService', 'server-error', 1);
  await h.command('staging api');
  expect(await result()).toContain('finished');
  expect(h.ecs.callsTo('UpdateService').length).toBe(2);
  expect(h.ecs.service('shieldai-staging', 'shieldai-staging-api')).toMatchObject({ taskDefinition: expect.stringContaining(':13') });
});

it('says in the thread when ECS stops answering while watching, keeps watching, and completes when it answers again', async () => {
  h = await startHarness();
  h.ecs.setBehaviour('shieldai-staging', 'shieldai-staging-api', { stabilizeSeconds: 120 });
  await h.command('staging api');
  await h.waitFor((c) => c.method === 'chat.postMessage' && textOf(c).includes('ROLLBACK IN PROGRESS'));
  for (let i = 0; i < 500 && h.ecs.callsTo('UpdateService').length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  h.ecs.failNext('DescribeServices', 'throttle', 12);
  expect(await result()).toContain('finished');
  expect(thread().some((m) => m.includes('ECS is not answering'))).toBe(true);
  expect(thread().at(-1)).toContain('ROLLBACK COMPLETE');
});

it('fails a service with a clear message, and records the error, when UpdateService keeps failing', async () => {
  h = await startHarness();
  h.ecs.failNext('UpdateService', 'server-error', 10);
  await h.command('staging api');
  const text = await result();
  expect(text).toContain('FAILED');
  expect(text).toMatch(/api\* failed.*ECS UpdateService/);
  const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
  const audit = (await h.bot.store.listAudit({ rollbackId: rollback.id, limit: 20 })).map((a) => `${a.action}:${a.outcome}`);
  expect(audit).toContain('ecs.update-service:attempt');
  expect(audit).toContain('ecs.update-service:error');
  expect(audit).not.toContain('ecs.update-service:ok');
});

it('bounds a health URL that hangs, and completes unverified saying it timed out', async () => {
  // The probe's timeout follows the poll interval (at least 1 s, real time): a short poll keeps this test short.
  h = await startHarness({ config: `${SAMPLE_CONFIG_YAML}defaults:\n  pollSeconds: 1\n` });
  h.health.set('/health', 'hang');
  await h.command('production api');
  const prompt = await h.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.params).includes('rollback_confirm'));
  await h.click({ ts: String((prompt.response!.body as { ts: string }).ts), blocks: structuredClone((prompt.params as { blocks: unknown[] }).blocks) }, 'rollback_confirm', 'U0ALICE');
  expect(await result()).toContain('finished');
  const last = thread().at(-1)!;
  expect(last).toContain('ROLLBACK COMPLETE (UNVERIFIED)');
  expect(last).toContain('timed out after');
}, 60_000);

it('retries Slack 5xx and still delivers the announcement and its thread', async () => {
  h = await startHarness();
  h.slack.inject('chat.postMessage', { kind: 'http_error', status: 503 }, 2);
  await h.command('staging api');
  expect(await result()).toContain('finished');
  expect(thread().at(-1)).toContain('ROLLBACK COMPLETE');
});
