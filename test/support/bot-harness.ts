import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startBot, type RunningBot } from '../../src/bot.js';
import { FakeCloudWatch } from '../fakes/cloudwatch/fake-cloudwatch-server.js';
import { FakeEcs } from '../fakes/ecs/fake-ecs-server.js';
import { FakeHealthServer } from '../fakes/health/fake-health-server.js';
import { FakePagerDuty } from '../fakes/pagerduty/fake-pagerduty.js';
import { FakeRds } from '../fakes/rds/fake-rds-server.js';
import type { ServiceSeed } from '../fakes/ecs/fake-ecs-scenarios.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack/index.js';
import { SAMPLE_CONFIG_YAML } from './catalog.js';
import { instantRetries } from './aws-test-retry.js';
import { FakeClock } from './fake-clock.js';
import { buttonClick, sendToBot, slashCommand, TEST_SIGNING_SECRET, type SigningOptions } from './slack-requests.js';

/** Services of the sample config, seeded with revisions 12 and 13 behind the running 14 (images v1.0.12…). */
export function standardServices(cluster = 'shieldai-production', names = ['shieldai-production-api', 'shieldai-production-worker']): ServiceSeed[] {
  return names.map((service) => ({
    service,
    cluster,
    deployments: [12, 13, 14].map((rev) => ({
      taskDefinition: `${service}:${rev}`,
      images: { app: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${service}:v1.0.${rev}` },
    })),
  }));
}

/** Options of one harness. */
export interface HarnessOptions {
  config?: string;
  services?: ServiceSeed[];
  env?: Record<string, string>;
  /** How the bot reaches PagerDuty: Events API (default), REST with notes, or not configured. */
  pagerduty?: 'events' | 'rest' | 'off';
  /** Socket Mode: the bot gets the fake's SLACK_APP_TOKEN and no signing secret; drive it through `slack.socketMode`. */
  socketMode?: boolean;
  /** Runs the alarm watcher; off by default, since its endless polls keep the auto-advancing clock moving. */
  watchAlarms?: boolean;
}

/** A bot wired to fake Slack and fake ECS on a fake clock, driven through signed HTTP requests. */
export interface Harness {
  bot: RunningBot;
  slack: FakeSlack;
  ecs: FakeEcs;
  cloudwatch: FakeCloudWatch;
  /** Holds `shieldai-production-db` and `shieldai-staging-db`, available, with a week of point-in-time backups. */
  rds: FakeRds;
  /** Serves the sample config's health URL, `/health`, healthy until told otherwise. */
  health: FakeHealthServer;
  pagerduty: FakePagerDuty;
  clock: FakeClock;
  url: string;
  dataDir: string;
  /** Every log line the bot wrote. */
  logs: string[];
  /** Sends `/rollback <text>` as `user` from `channel`; returns the HTTP answer. */
  command(text: string, user?: string, options?: SigningOptions & { channel?: string }): Promise<{ status: number; body: string }>;
  /** Clicks a button of a message the bot posted. */
  click(message: { ts: string; blocks?: unknown[] }, actionId: string, user: string, options?: SigningOptions & { channel?: string; value?: string }): Promise<{ status: number; body: string }>;
  /** Waits for a Slack Web API call matching `predicate`. */
  waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** The next posted message with a button `actionId` that no earlier call returned, as posted (later updates do not change it). */
  nextPrompt(actionId: string): Promise<{ channel: string; ts: string; blocks: unknown[] }>;
  /** Waits until the bot has no rollback in flight and everything queued for Slack is sent. */
  idle(): Promise<void>;
  /** Stops the bot as a replaced container would be, and starts a new one on the same store and fakes. */
  restart(): Promise<void>;
  /** Starts another bot on the same store and fakes, as a second replica; the harness stops it too. */
  startReplica(): Promise<RunningBot>;
  stop(): Promise<void>;
}

let responseCounter = 0;

/** Starts fakes and the bot in-process. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = new FakeClock();
  clock.autoAdvance();
  const slack = new FakeSlack();
  const { apiUrl } = await slack.start();
  const ecs = new FakeEcs({ clock });
  await ecs.start();
  for (const seed of options.services ?? standardServices()) ecs.addService(seed);
  for (const seed of options.services ? [] : standardServices('shieldai-staging', ['shieldai-staging-api'])) ecs.addService(seed);
  const cloudwatch = new FakeCloudWatch({ clock });
  await cloudwatch.start();
  cloudwatch.addMetricAlarm({ name: 'shieldai-production-alb-5xx', namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', state: 'OK' });
  const rds = new FakeRds({ clock });
  await rds.start();
  rds.addInstance({ id: 'shieldai-production-db' });
  rds.addInstance({ id: 'shieldai-staging-db', multiAZ: false, deletionProtection: false, tags: [{ Key: 'Environment', Value: 'staging' }] });
  const health = new FakeHealthServer({ clock });
  await health.start();
  health.healthy('/health');
  const pagerduty = new FakePagerDuty();
  const pagerdutyUrl = await pagerduty.start();
  const pagerMode = options.pagerduty ?? 'events';
  const pagerConfig = { events: '\npagerduty:\n  urgency: high\n', rest: '\npagerduty:\n  serviceId: PSERVICE1\n  urgency: high\n', off: '' }[pagerMode];
  const pagerEnv: Record<string, string> = {
    PAGERDUTY_EVENTS_URL: pagerdutyUrl,
    PAGERDUTY_API_URL: pagerdutyUrl,
    PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0000000000000000000001',
    ...(pagerMode === 'rest' ? { PAGERDUTY_API_TOKEN: 'pd-api-token-0123456789', PAGERDUTY_FROM: 'oncall@example.com' } : {}),
  };

  const dataDir = await mkdtemp(path.join(tmpdir(), 'rb-e2e-'));
  const configPath = path.join(dataDir, 'rollback.config.yaml');
  await writeFile(configPath, (options.config ?? SAMPLE_CONFIG_YAML + pagerConfig).replaceAll('https://api.example.com/health', health.urlFor('/health')));
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const env = {
      SLACK_BOT_TOKEN: slack.botToken,
      ...(options.socketMode ? { SLACK_APP_TOKEN: slack.appToken } : { SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET }),
      SLACK_API_URL: apiUrl,
      PORT: '0',
      ROLLBACK_CONFIG: configPath,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'debug',
      ...pagerEnv,
      ...options.env,
  } satisfies Record<string, string>;
  const boot = () =>
    startBot(env, {
      clock,
      logDestination,
      aws: {
        endpoint: { ecs: ecs.url, cloudwatch: cloudwatch.url, rds: rds.url },
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake-secret-key' },
        retryStrategy: instantRetries(5),
      },
      watchAlarms: options.watchAlarms ?? false,
    });
  const replicas: RunningBot[] = [];
  let bot = await boot();
  let url = `http://127.0.0.1:${bot.port}/slack/events`;
  const prompted = new Set<string>();
  const harness: Harness = {
    bot,
    slack,
    ecs,
    cloudwatch,
    rds,
    health,
    pagerduty,
    clock,
    url,
    dataDir,
    logs,
    command: (text, user = 'U0ALICE', opts = {}) =>
      sendToBot(url, slashCommand({ text, userId: user, channelId: opts.channel ?? 'C0OPS', responseUrl: slack.responseUrl(`cmd-${++responseCounter}`) }, opts)),
    click: (message, actionId, user, opts = {}) =>
      sendToBot(
        url,
        buttonClick(
          { message, actionId, userId: user, channelId: opts.channel ?? 'C0OPS', responseUrl: slack.responseUrl(`click-${++responseCounter}`), ...(opts.value !== undefined ? { value: opts.value } : {}) },
          opts,
        ),
      ),
    waitFor: (predicate, timeoutMs = 10_000) => slack.waitFor(predicate, timeoutMs),
    nextPrompt: async (actionId) => {
      const tsOf = (c: RecordedCall) => String((c.response?.body as { ts?: string } | undefined)?.ts);
      const call = await harness.waitFor(
        (c) => c.method === 'chat.postMessage' && c.response !== undefined && JSON.stringify(c.params).includes(actionId) && !prompted.has(tsOf(c)),
      );
      const ts = tsOf(call);
      prompted.add(ts);
      const params = call.params as { channel: string; blocks: unknown[] };
      return { channel: params.channel, ts, blocks: structuredClone(params.blocks) };
    },
    restart: async () => {
      await bot.stop();
      bot = await boot();
      url = `http://127.0.0.1:${bot.port}/slack/events`;
      harness.bot = bot;
      harness.url = url;
    },
    startReplica: async () => {
      const replica = await boot();
      replicas.push(replica);
      return replica;
    },
    idle: async () => {
      await bot.runner.idle();
      await bot.settled();
    },
    stop: async () => {
      for (const replica of replicas) await replica.stop();
      await bot.stop();
      clock.stopAutoAdvance();
      await ecs.stop();
      await cloudwatch.stop();
      await rds.stop();
      await health.stop();
      await pagerduty.stop();
      await slack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The text of an ephemeral message, a posted message or a response_url post. */
export function textOf(call: RecordedCall): string {
  const params = call.params as { text?: string; blocks?: { text?: { text?: string }; elements?: { text?: string }[] }[] };
  const blockText = (params.blocks ?? []).map((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text ?? '')].join(' ')).join('\n');
  return `${params.text ?? ''}\n${blockText}`;
}
