import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../src/adapters/store/open-store.js';
import { startProcessFixture, type ProcessFixture } from '../support/bot-process.js';
import { sendToBot, slashCommand } from '../support/slack-requests.js';

// A separate process cannot share a fake clock, so these tests use real time with a rollout of a few seconds.
const CONFIG = `
incidentsChannel: C0INCIDENTS
defaults:
  pollSeconds: 0.2
  verifyMinutes: 0.02
  timeoutMinutes: 2
environments:
  staging:
    region: us-east-1
    cluster: shieldai-staging
    protected: false
    services:
      api: { ecsService: shieldai-staging-api }
`;

let f: ProcessFixture;
beforeEach(async () => {
  f = await startProcessFixture({ config: CONFIG, cluster: 'shieldai-staging', services: ['shieldai-staging-api'] });
});
afterEach(async () => f.stop());

async function auditActions(): Promise<string[]> {
  const store = await openStore({ dataDir: f.dir });
  try {
    return (await store.listAudit({ limit: 100 })).map((a) => `${a.action}:${a.outcome}`).reverse();
  } finally {
    await store.close();
  }
}

it('survives SIGKILL while a rollback waits on ECS: one UpdateService, one completion, a complete audit log', async () => {
  const first = await f.start();
  const answer = await sendToBot(first.url, slashCommand({ text: 'staging api', responseUrl: f.slack.responseUrl('cmd'), userId: 'U0ALICE' }));
  expect(answer.status).toBe(200);
  await f.until(() => f.ecs.callsTo('UpdateService').length === 1, 'UpdateService');
  first.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');

  const second = await f.start();
  await f.until(() => f.completions().length > 0, 'the completion message');
  second.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);

  expect(f.ecs.callsTo('UpdateService')).toHaveLength(1);
  expect(f.completions()).toHaveLength(1);
  const actions = await auditActions();
  expect(actions).toEqual(expect.arrayContaining(['rollback.requested:ok', 'ecs.update-service:attempt', 'rollback.resumed:info', 'service.succeeded:ok', 'rollback.succeeded:ok']));
  expect(actions.indexOf('rollback.requested:ok')).toBeLessThan(actions.indexOf('ecs.update-service:attempt'));
  expect(actions.indexOf('rollback.resumed:info')).toBeLessThan(actions.indexOf('rollback.succeeded:ok'));
}, 60_000);

it('stops on SIGTERM in under 10 s without taking new commands, and the next start finishes the rollback', async () => {
  const first = await f.start();
  await sendToBot(first.url, slashCommand({ text: 'staging api', responseUrl: f.slack.responseUrl('cmd'), userId: 'U0ALICE' }));
  await f.until(() => f.ecs.callsTo('UpdateService').length === 1, 'UpdateService');
  const stopAsked = Date.now();
  first.kill('SIGTERM');
  const exit = await first.exited;
  expect(exit.code).toBe(0);
  expect(Date.now() - stopAsked).toBeLessThan(10_000);
  await expect(sendToBot(first.url, slashCommand({ text: 'staging api', responseUrl: f.slack.responseUrl('late'), userId: 'U0BOB' }))).rejects.toThrow();
  expect(first.logs.join('')).toContain('in-flight rollbacks resume at next start');

  const second = await f.start();
  await f.until(() => f.completions().length > 0, 'the completion message');
  expect(f.ecs.callsTo('UpdateService')).toHaveLength(1);
  second.kill('SIGTERM');
  await second.exited;
}, 60_000);
