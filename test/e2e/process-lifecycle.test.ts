import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../src/adapters/store/open-store.js';
import { systemClock } from '../../src/ports/clock.js';
import { FakeCloudWatch } from '../fakes/cloudwatch/fake-cloudwatch-server.js';
import { FakeEcs } from '../fakes/ecs/fake-ecs-server.js';
import { FakeSlack } from '../fakes/slack/index.js';
import { standardServices } from '../support/bot-harness.js';
import { startBotProcess, type BotProcess } from '../support/bot-process.js';
import { sendToBot, slashCommand, TEST_SIGNING_SECRET } from '../support/slack-requests.js';

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

let slack: FakeSlack;
let ecs: FakeEcs;
let cloudwatch: FakeCloudWatch;
let dataDir: string;
let env: Record<string, string>;
const processes: BotProcess[] = [];

beforeEach(async () => {
  slack = new FakeSlack();
  const { apiUrl } = await slack.start();
  ecs = new FakeEcs({ clock: systemClock });
  await ecs.start();
  for (const seed of standardServices('shieldai-staging', ['shieldai-staging-api'])) ecs.addService({ ...seed, behaviour: { stabilizeSeconds: 4 } });
  cloudwatch = new FakeCloudWatch({ clock: systemClock });
  await cloudwatch.start();
  dataDir = await mkdtemp(path.join(tmpdir(), 'rb-process-'));
  await writeFile(path.join(dataDir, 'rollback.config.yaml'), CONFIG);
  env = {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
    ROLLBACK_CONFIG: path.join(dataDir, 'rollback.config.yaml'),
    DATA_DIR: dataDir,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-key',
    AWS_ENDPOINT_URL_ECS: ecs.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
    LOG_LEVEL: 'info',
  };
});

afterEach(async () => {
  for (const p of processes.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.kill('SIGKILL');
    await p.exited;
  }
  expect(ecs.violations).toEqual([]);
  expect(slack.violations).toEqual([]);
  await ecs.stop();
  await cloudwatch.stop();
  await slack.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<BotProcess> {
  const bot = await startBotProcess(env);
  processes.push(bot);
  return bot;
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const completions = () => slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.params).includes('ROLLBACK COMPLETE'));

async function auditActions(): Promise<string[]> {
  const store = await openStore({ dataDir });
  try {
    return (await store.listAudit({ limit: 100 })).map((a) => `${a.action}:${a.outcome}`).reverse();
  } finally {
    await store.close();
  }
}

it('survives SIGKILL while a rollback waits on ECS: one UpdateService, one completion, a complete audit log', async () => {
  const first = await start();
  const answer = await sendToBot(first.url, slashCommand({ text: 'staging api', responseUrl: slack.responseUrl('cmd'), userId: 'U0ALICE' }));
  expect(answer.status).toBe(200);
  await until(() => ecs.callsTo('UpdateService').length === 1, 'UpdateService');
  first.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');

  const second = await start();
  await until(() => completions().length > 0, 'the completion message');
  second.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);

  expect(ecs.callsTo('UpdateService')).toHaveLength(1);
  expect(completions()).toHaveLength(1);
  const actions = await auditActions();
  expect(actions).toEqual(expect.arrayContaining(['rollback.requested:ok', 'ecs.update-service:attempt', 'rollback.resumed:info', 'service.succeeded:ok', 'rollback.succeeded:ok']));
  expect(actions.indexOf('rollback.requested:ok')).toBeLessThan(actions.indexOf('ecs.update-service:attempt'));
  expect(actions.indexOf('rollback.resumed:info')).toBeLessThan(actions.indexOf('rollback.succeeded:ok'));
}, 60_000);

it('stops on SIGTERM in under 10 s without taking new commands, and the next start finishes the rollback', async () => {
  const first = await start();
  await sendToBot(first.url, slashCommand({ text: 'staging api', responseUrl: slack.responseUrl('cmd'), userId: 'U0ALICE' }));
  await until(() => ecs.callsTo('UpdateService').length === 1, 'UpdateService');
  const stopAsked = Date.now();
  first.kill('SIGTERM');
  const exit = await first.exited;
  expect(exit.code).toBe(0);
  expect(Date.now() - stopAsked).toBeLessThan(10_000);
  await expect(sendToBot(first.url, slashCommand({ text: 'staging api', responseUrl: slack.responseUrl('late'), userId: 'U0BOB' }))).rejects.toThrow();
  expect(first.logs.join('')).toContain('in-flight rollbacks resume at next start');

  const second = await start();
  await until(() => completions().length > 0, 'the completion message');
  expect(ecs.callsTo('UpdateService')).toHaveLength(1);
  second.kill('SIGTERM');
  await second.exited;
}, 60_000);
