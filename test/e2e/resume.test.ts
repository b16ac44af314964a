import { afterEach, expect, it } from 'vitest';
import { startHarness, textOf, type Harness } from '../support/bot-harness.js';

let h: Harness;
afterEach(async () => {
  expect(h.slack.violations).toEqual([]);
  expect(h.ecs.violations).toEqual([]);
  await h.stop();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

it('resumes a rollback that was being watched when the bot stopped, without acting twice', async () => {
  h = await startHarness();
  h.ecs.setBehaviour('shieldai-staging', 'shieldai-staging-api', { stabilizeSeconds: 600 });
  await h.command('staging api');
  await until(() => h.ecs.callsTo('UpdateService').length === 1 && h.bot.runner.activeIds().length === 1, 'the rollback to be watched');

  await h.restart();
  expect(h.bot.runner.activeIds()).toHaveLength(1);
  await h.waitFor((c) => c.method === 'chat.postEphemeral' && textOf(c).includes('finished'));
  await h.idle();

  expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
  const toAlice = h.slack.ephemeralsTo('U0ALICE');
  expect(toAlice.filter((m) => m.text.includes('Rolling back'))).toHaveLength(1);
  expect(toAlice.filter((m) => m.text.includes('finished'))).toHaveLength(1);
  const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
  expect(rollback.state).toBe('succeeded');
  const actions = (await h.bot.store.listAudit({ rollbackId: rollback.id, limit: 50 })).map((a) => `${a.action}:${a.outcome}`).reverse();
  expect(actions).toEqual([
    'rollback.requested:ok',
    'ecs.update-service:attempt',
    'ecs.update-service:ok',
    'rollback.resumed:info',
    'service.succeeded:ok',
    'rollback.succeeded:ok',
  ]);
});

it('does not repeat UpdateService when it finds the call applied after a crash between the two writes', async () => {
  h = await startHarness();
  h.ecs.setBehaviour('shieldai-staging', 'shieldai-staging-api', { stabilizeSeconds: 600 });
  await h.command('staging api');
  await until(() => h.bot.runner.activeIds().length === 1 && h.ecs.callsTo('UpdateService').length === 1, 'UpdateService');
  const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
  await h.bot.runner.stop();
  // A crash after UpdateService reached ECS but before its answer was recorded leaves the service in `acting`.
  await h.bot.store.updateService(rollback.id, 'api', { state: 'acting' });

  await h.restart();
  await h.waitFor((c) => c.method === 'chat.postEphemeral' && textOf(c).includes('finished'));
  await h.idle();
  expect(h.ecs.callsTo('UpdateService')).toHaveLength(1);
  const actions = (await h.bot.store.listAudit({ rollbackId: rollback.id, limit: 50 })).map((a) => a.action);
  expect(actions).toContain('ecs.call-found-applied-after-restart');
});
