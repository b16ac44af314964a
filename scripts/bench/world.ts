import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { startBot, type RunningBot } from '../../src/bot.js';
import type { Tunables } from '../../src/config/schema.js';
import { FakeCloudWatch } from '../../test/fakes/cloudwatch/fake-cloudwatch-server.js';
import { FakeEcs } from '../../test/fakes/ecs/fake-ecs-server.js';
import { FakeHealthServer } from '../../test/fakes/health/fake-health-server.js';
import { FakePagerDuty } from '../../test/fakes/pagerduty/fake-pagerduty.js';
import { FakeSlack } from '../../test/fakes/slack/index.js';
import { standardServices } from '../../test/support/bot-harness.js';
import type { ScaledClock } from '../../test/support/scaled-clock.js';
import { TEST_SIGNING_SECRET } from '../../test/support/slack-requests.js';

/** One ECS service of a simulated environment: how long its rollback takes to stabilise, and what watches it. */
export interface SimulatedService {
  ecsService: string;
  stabilizeSeconds: number;
  desiredCount?: number;
  /** A path on the fake health server, answering 200. */
  healthPath?: string;
  /** CloudWatch alarms, created in state OK. */
  alarms?: string[];
}

/** One environment of the config, with its ECS cluster. */
export interface SimulatedEnvironment {
  cluster: string;
  protected: boolean;
  requesters?: string[];
  approvers?: string[];
  tunables?: Partial<Tunables>;
  services: Record<string, SimulatedService>;
}

/** What to simulate: the environments of the config, on one clock, with or without PagerDuty. */
export interface WorldSpec {
  clock: ScaledClock;
  environments: Record<string, SimulatedEnvironment>;
  pagerduty?: boolean;
}

/** The fakes of every system the bot talks to, all on the spec's clock, and the environment variables that point the bot at them. */
export interface Simulators {
  clock: ScaledClock;
  slack: FakeSlack;
  ecs: FakeEcs;
  cloudwatch: FakeCloudWatch;
  health: FakeHealthServer;
  pagerduty: FakePagerDuty;
  dataDir: string;
  /** CONTRACT.md's variables, plus the AWS SDK's endpoint and credential variables for a bot in another process. */
  env: Record<string, string>;
  /** Requests the fakes found Slack, AWS or PagerDuty would refuse; a sound run has none. */
  violations(): string[];
  stop(): Promise<void>;
}

/** An in-process bot on the simulators. */
export interface World extends Simulators {
  bot: RunningBot;
  botUrl: string;
  /** Every log line the bot wrote, for a post-mortem when a run goes wrong. */
  logs: string[];
}

const INCIDENTS_CHANNEL = 'C0INCIDENTS';
const REGION = 'us-east-1';

/** The ECS region the simulated environments live in. */
export const SIMULATED_REGION = REGION;

/** Starts the fakes, seeds each service with revisions 12, 13 and 14 (running), and writes the config. */
export async function startSimulators(spec: WorldSpec): Promise<Simulators> {
  const { clock } = spec;
  const slack = new FakeSlack();
  const ecs = new FakeEcs({ clock, region: REGION });
  // Pages as large as CloudWatch's own (100 alarms), not the fake's default of 3 that makes tests paginate.
  const cloudwatch = new FakeCloudWatch({ clock, region: REGION, pageSize: 100 });
  const health = new FakeHealthServer({ clock });
  const pagerduty = new FakePagerDuty();
  const [{ apiUrl }, , , , pagerdutyUrl] = await Promise.all([slack.start(), ecs.start(), cloudwatch.start(), health.start(), pagerduty.start()]);

  const environments: Record<string, unknown> = {};
  for (const [name, environment] of Object.entries(spec.environments)) {
    const services: Record<string, unknown> = {};
    for (const [serviceName, service] of Object.entries(environment.services)) {
      const [seed] = standardServices(environment.cluster, [service.ecsService]);
      ecs.addService({ ...seed!, desiredCount: service.desiredCount ?? 2 });
      ecs.setBehaviour(environment.cluster, service.ecsService, { stabilizeSeconds: service.stabilizeSeconds });
      if (service.healthPath) health.healthy(service.healthPath);
      for (const alarm of service.alarms ?? []) {
        cloudwatch.addMetricAlarm({ name: alarm, namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', state: 'OK' });
      }
      services[serviceName] = {
        ecsService: service.ecsService,
        ...(service.healthPath ? { healthCheckUrl: health.urlFor(service.healthPath) } : {}),
        ...(service.alarms ? { alarms: service.alarms } : {}),
      };
    }
    environments[name] = {
      region: REGION,
      cluster: environment.cluster,
      protected: environment.protected,
      ...(environment.requesters ? { requesters: environment.requesters } : {}),
      ...(environment.approvers ? { approvers: environment.approvers } : {}),
      ...environment.tunables,
      services,
    };
  }
  const config = { incidentsChannel: INCIDENTS_CHANNEL, ...(spec.pagerduty ? { pagerduty: { urgency: 'high' } } : {}), environments };

  const dataDir = await mkdtemp(path.join(tmpdir(), 'rollback-bot-sim-'));
  const configPath = path.join(dataDir, 'rollback.config.yaml');
  await writeFile(configPath, stringify(config));
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
    PORT: '0',
    ROLLBACK_CONFIG: configPath,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PAGERDUTY_EVENTS_URL: pagerdutyUrl,
    PAGERDUTY_API_URL: pagerdutyUrl,
    PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0000000000000000000001',
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_ECS: ecs.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-key',
  };

  return {
    clock,
    slack,
    ecs,
    cloudwatch,
    health,
    pagerduty,
    dataDir,
    env,
    violations: () => [
      ...slack.violations.map((v) => `Slack ${v.method}: ${v.problems.join('; ')}`),
      ...ecs.violations.map((v) => `ECS ${v}`),
      ...cloudwatch.violations.map((v) => `CloudWatch ${v}`),
      ...pagerduty.violations.map((v) => `PagerDuty ${v.method} ${v.path}: ${v.problems.join('; ')}`),
    ],
    stop: async () => {
      await Promise.all([slack.stop(), ecs.stop(), cloudwatch.stop(), health.stop(), pagerduty.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts the simulators and the bot in this process, sharing the spec's clock. */
export async function startWorld(spec: WorldSpec): Promise<World> {
  const simulators = await startSimulators(spec);
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  let bot: RunningBot;
  try {
    bot = await startBot(simulators.env, {
      clock: spec.clock,
      logDestination,
      aws: {
        endpoint: { ecs: simulators.ecs.url, cloudwatch: simulators.cloudwatch.url },
        credentials: { accessKeyId: simulators.env.AWS_ACCESS_KEY_ID!, secretAccessKey: simulators.env.AWS_SECRET_ACCESS_KEY! },
      },
    });
  } catch (err) {
    await simulators.stop();
    throw err;
  }
  return {
    ...simulators,
    bot,
    botUrl: `http://127.0.0.1:${bot.port}/slack/events`,
    logs,
    stop: async () => {
      await bot.stop();
      await simulators.stop();
    },
  };
}
