import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/ports/clock.js';
import { FakeCloudWatch } from '../fakes/cloudwatch/fake-cloudwatch-server.js';
import { FakeEcs } from '../fakes/ecs/fake-ecs-server.js';
import { FakeSlack } from '../fakes/slack/index.js';
import { standardServices } from '../support/bot-harness.js';
import { startBotProcess, type BotProcess } from '../support/bot-process.js';
import { buttonClick, sendToBot, slashCommand, TEST_SIGNING_SECRET } from '../support/slack-requests.js';

const databaseUrl = process.env['TEST_DATABASE_URL'];
if (!databaseUrl) console.warn('replica tests skipped: set TEST_DATABASE_URL to a PostgreSQL database (CI does) to run them');

// Real processes share no clock with the test, so rollouts here take a few real seconds.
const CONFIG = `
incidentsChannel: C0INCIDENTS
defaults:
  pollSeconds: 0.2
  verifyMinutes: 0.02
  timeoutMinutes: 2
environments:
  production:
    region: us-east-1
    cluster: shieldai-production
    protected: true
    services:
      api: { ecsService: shieldai-production-api }
`;

describe.skipIf(!databaseUrl)('two replicas on one PostgreSQL', () => {
  let slack: FakeSlack;
  let ecs: FakeEcs;
  let cloudwatch: FakeCloudWatch;
  let dir: string;
  let schema: string;
  let env: Record<string, string>;
  const processes: BotProcess[] = [];

  beforeEach(async () => {
    schema = `rb_replicas_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    slack = new FakeSlack();
    const { apiUrl } = await slack.start();
    ecs = new FakeEcs({ clock: systemClock });
    await ecs.start();
    for (const seed of standardServices('shieldai-production', ['shieldai-production-api'])) ecs.addService({ ...seed, behaviour: { stabilizeSeconds: 5 } });
    cloudwatch = new FakeCloudWatch({ clock: systemClock });
    await cloudwatch.start();
    dir = await mkdtemp(path.join(tmpdir(), 'rb-replicas-'));
    await writeFile(path.join(dir, 'rollback.config.yaml'), CONFIG);
    const url = new URL(databaseUrl!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    env = {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: apiUrl,
      ROLLBACK_CONFIG: path.join(dir, 'rollback.config.yaml'),
      DATABASE_URL: url.toString(),
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
    expect(slack.violations).toEqual([]);
    expect(ecs.violations).toEqual([]);
    await Promise.all([ecs.stop(), cloudwatch.stop(), slack.stop()]);
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<BotProcess> {
    const bot = await startBotProcess(env);
    processes.push(bot);
    return bot;
  }

  async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const completions = () => slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.params).includes('ROLLBACK COMPLETE'));
  const promptCall = () => slack.calls.find((c) => c.method === 'chat.postMessage' && JSON.stringify(c.params).includes('rollback_confirm') && c.response);

  async function requestAndPrompt(bot: BotProcess) {
    await sendToBot(bot.url, slashCommand({ text: 'production api', responseUrl: slack.responseUrl('cmd'), userId: 'U0ALICE' }));
    await until(() => promptCall() !== undefined, 'the prompt');
    const call = promptCall()!;
    return { ts: String((call.response!.body as { ts: string }).ts), blocks: structuredClone((call.params as { blocks: unknown[] }).blocks) };
  }

  it('acts once when confirm clicks and their retries reach both replicas', async () => {
    const [a, b] = [await start(), await start()];
    const prompt = await requestAndPrompt(a);
    const clicks = Array.from({ length: 10 }, (_, i) =>
      sendToBot((i % 2 === 0 ? a : b).url, buttonClick({ message: prompt, actionId: 'rollback_confirm', userId: 'U0ALICE', responseUrl: slack.responseUrl(`click${i}`) }, { headers: i > 1 ? { 'X-Slack-Retry-Num': '1' } : {} })),
    );
    expect((await Promise.all(clicks)).every((r) => r.status === 200)).toBe(true);
    await until(() => completions().length > 0, 'the completion');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(ecs.callsTo('UpdateService')).toHaveLength(1);
    expect(completions()).toHaveLength(1);
  }, 90_000);

  it('lets a replica started mid-rollback leave it alone, and adopt it once the carrier is killed', async () => {
    const a = await start();
    const prompt = await requestAndPrompt(a);
    await sendToBot(a.url, buttonClick({ message: prompt, actionId: 'rollback_confirm', userId: 'U0ALICE', responseUrl: slack.responseUrl('click') }));
    await until(() => ecs.callsTo('UpdateService').length === 1, 'UpdateService');
    await until(() => slack.calls.some((c) => c.method === 'chat.postEphemeral' && JSON.stringify(c.params).includes('Rolling back')), 'the announcement');
    await start();
    const announcements = slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.params).includes('ROLLBACK IN PROGRESS')).length;
    a.kill('SIGKILL');
    await a.exited;
    await until(() => completions().length > 0, 'the completion by the second replica');
    expect(ecs.callsTo('UpdateService')).toHaveLength(1);
    expect(completions()).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.params).includes('ROLLBACK IN PROGRESS'))).toHaveLength(announcements);
  }, 90_000);
});
