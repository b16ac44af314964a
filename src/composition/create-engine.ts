import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { WebClient } from '@slack/web-api';
import type { DestinationStream } from 'pino';
import { createCloudWatchAlarms } from '../adapters/aws/cloudwatch-alarms.js';
import { createEcsDeployments } from '../adapters/aws/ecs-deployments.js';
import { createRdsDatabases } from '../adapters/aws/rds-databases.js';
import { createHealthProbe } from '../adapters/http/health-probe.js';
import { createPager } from '../adapters/pagerduty/create-pager.js';
import { openStoreAdapters } from '../adapters/store/open-store.js';
import type { EnvSettings } from '../config/env.js';
import { DEFAULT_ALARM_POLL_SECONDS } from '../config/schema.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics, type BotMetrics } from '../observability/metrics.js';
import type { AlarmEpisodesPort } from '../ports/alarm-episodes.js';
import type { AlarmsPort } from '../ports/alarms.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { DatabasesPort } from '../ports/databases.js';
import type { DeployLocksPort } from '../ports/deploy-locks.js';
import type { LeasesPort } from '../ports/leases.js';
import type { DeploymentsPort } from '../ports/deployments.js';
import type { Logger } from '../ports/logger.js';
import type { PagerPort } from '../ports/pager.js';
import type { RollbackStore } from '../ports/store.js';
import { AlarmEpisodeHandler } from '../rollbacks/alarm-episode-handler.js';
import { AlarmWatcher } from '../rollbacks/alarm-watcher.js';
import { PromptAnswerer } from '../rollbacks/answer-prompt.js';
import { AuditTrail } from '../rollbacks/audit-trail.js';
import { DatabaseRestoreRequester } from '../rollbacks/database-restore-requester.js';
import { DatabaseRestoreRunner } from '../rollbacks/database-restore-runner.js';
import { DatabaseSnapshots } from '../rollbacks/database-snapshots.js';
import { DeployLocking } from '../rollbacks/deploy-locking.js';
import { RollbackPlanner } from '../rollbacks/plan-rollback.js';
import { RollbackEventBus } from '../rollbacks/rollback-events.js';
import { RollbackHistory } from '../rollbacks/rollback-history.js';
import { RollbackRequester } from '../rollbacks/request-rollback.js';
import { RollbackRunner } from '../rollbacks/rollback-runner.js';
import { StatusReporter } from '../rollbacks/status-report.js';
import { UnattendedRollbacks } from '../rollbacks/unattended-rollback.js';
import { createAlarmAnnouncer } from '../slack/alarm-announcer.js';
import { createDatabaseAnnouncer, createSnapshotNotifier } from '../slack/database-announcer.js';
import { createIncidentAnnouncer } from '../slack/incident-announcer.js';
import { createRequesterNotifier } from '../slack/requester-notifier.js';
import { toSlackLogger } from '../slack/slack-logger.js';
import { SlackPoster } from '../slack/slack-poster.js';
import { StartupError, type Settings } from './load-settings.js';
import { checkDataDirWritable } from './check-data-dir.js';

/** Seams for tests, the demo and the benchmark; production passes none of them. */
export interface EngineOverrides {
  clock?: Clock;
  logDestination?: DestinationStream;
  /** AWS endpoint and credentials for local simulators; unset, the SDK's own chain and AWS_ENDPOINT_URL_* apply. */
  aws?: {
    endpoint?: { ecs?: string; cloudwatch?: string; rds?: string };
    credentials?: ECSClientConfig['credentials'];
    /** Replaces the SDK's backoff, so tests exercise retries without waiting real seconds. */
    retryStrategy?: ECSClientConfig['retryStrategy'];
  };
  /** Minimum gap between two Slack messages in one channel (Slack allows about one a second). */
  slackChannelIntervalMs?: number;
}

/** The engine and its adapters, shared by the Slack bot and the command line. */
export interface Engine {
  settings: Settings;
  clock: Clock;
  logger: Logger;
  store: RollbackStore;
  deployments: DeploymentsPort;
  alarms: AlarmsPort;
  pager: PagerPort;
  slackClient: WebClient;
  poster: SlackPoster;
  events: RollbackEventBus;
  audit: AuditTrail;
  metrics: BotMetrics;
  runner: RollbackRunner;
  requester: RollbackRequester;
  answerer: PromptAnswerer;
  databases: DatabasesPort;
  /** `/rollback db … to …`: plans a restore and creates its rollback. */
  databaseRestores: DatabaseRestoreRequester;
  /** `/rollback db … snapshots` and `/rollback snapshot …`. */
  databaseSnapshots: DatabaseSnapshots;
  /** Deploy freezes, for status, the /locks endpoint and the CLI. */
  deployLocks: DeployLocksPort;
  statusReporter: StatusReporter;
  history: RollbackHistory;
  locking: DeployLocking;
  /** Rollbacks without a prompt (the CLI), under the same policy. */
  unattended: UnattendedRollbacks;
  /** How long a replica's claim on a rollback outlives its last renewal. */
  claimTtlMs: number;
  /** Named leases shared by the replicas (rollback claims, the alarm watcher). */
  leases: LeasesPort;
  alarmEpisodes: AlarmEpisodesPort;
  /** Announces alarms and rolls back on them; the bot starts it, the CLI does not. */
  alarmWatcher: AlarmWatcher;
  /** Resolves when event deliveries and queued Slack messages so far are done, or after `timeoutMs`. */
  settle(timeoutMs: number): Promise<void>;
  /** Stops rollbacks (their state stays for the next start), lets announcements land briefly, closes clients and the store. */
  close(): Promise<void>;
}

/** The composition root's core: validated settings → SDK clients → adapters → use cases and subscribers. */
export async function createEngine(settings: Settings, overrides: EngineOverrides = {}): Promise<Engine> {
  const { env, catalog, templates } = settings;
  const clock = overrides.clock ?? systemClock;
  const logger = createLogger(env.logLevel, secretsOf(env), overrides.logDestination);
  let store: RollbackStore;
  let deployLocks: DeployLocksPort;
  let leases: LeasesPort;
  let alarmEpisodes: AlarmEpisodesPort;
  if (!env.databaseUrl) checkDataDirWritable(env.dataDir);
  try {
    ({ store, deployLocks, leases, alarmEpisodes } = await openStoreAdapters({ ...(env.databaseUrl ? { databaseUrl: env.databaseUrl } : {}), dataDir: env.dataDir, logger }));
  } catch (err) {
    const where = env.databaseUrl ? 'the PostgreSQL database in DATABASE_URL' : `the SQLite store in DATA_DIR (${env.dataDir})`;
    throw new StartupError([`cannot open ${where}: ${err instanceof Error ? err.message : String(err)}`], 1);
  }

  const awsClients: { destroy(): void }[] = [];
  const awsOptions = (endpoint: string | undefined) => ({
    maxAttempts: 5,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 20_000, throwOnRequestTimeout: true },
    ...(endpoint ? { endpoint } : {}),
    ...(overrides.aws?.credentials ? { credentials: overrides.aws.credentials } : {}),
    ...(overrides.aws?.retryStrategy ? { retryStrategy: overrides.aws.retryStrategy } : {}),
  });
  const perRegion = <C extends { destroy(): void }>(create: (region: string) => C): ((region: string) => C) => {
    const clients = new Map<string, C>();
    return (region) => {
      let client = clients.get(region);
      if (!client) {
        client = create(region);
        clients.set(region, client);
        awsClients.push(client);
      }
      return client;
    };
  };
  const deployments = createEcsDeployments(perRegion((region) => new ECSClient({ region, ...awsOptions(overrides.aws?.endpoint?.ecs) })));
  const alarms = createCloudWatchAlarms(perRegion((region) => new CloudWatchClient({ region, ...awsOptions(overrides.aws?.endpoint?.cloudwatch) })));
  const databases = createRdsDatabases(perRegion((region) => new RDSClient({ region, ...awsOptions(overrides.aws?.endpoint?.rds) })));
  const probe = createHealthProbe();
  // CONTRACT: without a `pagerduty` section no incident is opened, whatever keys the environment holds.
  const pager = createPager(
    catalog.pagerduty
      ? { ...env.pagerduty, urgency: catalog.pagerduty.urgency, ...(catalog.pagerduty.serviceId ? { serviceId: catalog.pagerduty.serviceId } : {}) }
      : { apiUrl: env.pagerduty.apiUrl, eventsUrl: env.pagerduty.eventsUrl, urgency: 'high' },
    logger,
  );
  const slackClient = new WebClient(env.slack.botToken, {
    slackApiUrl: env.slack.apiUrl,
    retryConfig: { retries: 5, factor: 1.6, minTimeout: 500, maxTimeout: 20_000 },
    timeout: 15_000,
    logger: toSlackLogger(logger, 'slack-web-api'),
  });
  const poster = new SlackPoster(slackClient, clock, logger.child({ component: 'slack-poster' }), overrides.slackChannelIntervalMs ?? 1000);

  const metrics = createMetrics();
  const events = new RollbackEventBus((err, event) => logger.warn({ err, event: event.type }, 'event subscriber failed'));
  events.subscribe(metrics.onEvent);
  const audit = new AuditTrail(store, clock);
  // A replica that has not renewed for about ten polls (crashed, partitioned) loses its rollbacks to another.
  const fastestPollMs = Math.min(...Object.values(catalog.environments).map((e) => e.tunables.pollSeconds * 1000));
  const claims = { leases, holder: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`, ttlMs: Math.min(30_000, Math.max(5_000, 10 * fastestPollMs)) };
  const databaseRestoreRunner = new DatabaseRestoreRunner({ store, databases, clock, events, audit, logger });
  const runner = new RollbackRunner({ store, deployments, clock, events, audit, catalog, logger, alarms, probe, claims, databaseRestores: databaseRestoreRunner });
  const planner = new RollbackPlanner(deployments);
  const requester = new RollbackRequester({ catalog, planner, store, runner, audit, clock });
  const answerer = new PromptAnswerer({ catalog, store, runner, audit, events, clock });
  events.subscribe(createIncidentAnnouncer({ catalog, poster, templates, pager, store, logger, now: () => clock.now() }));
  events.subscribe(createRequesterNotifier({ poster, prompts: store }));
  events.subscribe(createDatabaseAnnouncer({ catalog, poster, templates, pager, store, logger, now: () => clock.now() }));
  const databaseRestores = new DatabaseRestoreRequester({ catalog, databases, store, audit, clock });
  const databaseSnapshots = new DatabaseSnapshots({ catalog, databases, audit, clock, logger, notify: createSnapshotNotifier(poster) });
  const locking = new DeployLocking({ catalog, locks: deployLocks, audit, clock });
  events.subscribe(locking.freezeAfterRollback);
  const statusReporter = new StatusReporter({ catalog, deployments, alarms, locks: deployLocks, store, clock });
  const history = new RollbackHistory({ catalog, store, locks: deployLocks });
  const unattended = new UnattendedRollbacks({ catalog, requester, answerer, audit });
  const announcer = createAlarmAnnouncer({ catalog, poster, templates, pager, logger, now: () => clock.now() });
  const alarmHandler = new AlarmEpisodeHandler({ catalog, episodes: alarmEpisodes, deployments, store, requester, announcer, audit, clock, logger, deployLocks });
  const alarmWatcher = new AlarmWatcher({
    catalog,
    alarms,
    episodes: alarmEpisodes,
    leases,
    handler: alarmHandler,
    audit,
    clock,
    logger: logger.child({ component: 'alarm-watcher' }),
    holder: claims.holder,
    pollMs: (catalog.alarmPollSeconds ?? DEFAULT_ALARM_POLL_SECONDS) * 1000,
  });

  const settle = (timeoutMs: number) =>
    Promise.race([Promise.all([events.settled(), poster.idle()]).then(() => undefined), new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
  let closed: Promise<void> | null = null;
  return {
    settings,
    clock,
    logger,
    store,
    deployments,
    alarms,
    pager,
    slackClient,
    poster,
    events,
    audit,
    metrics,
    runner,
    requester,
    answerer,
    databases,
    databaseRestores,
    databaseSnapshots,
    deployLocks,
    statusReporter,
    history,
    locking,
    unattended,
    claimTtlMs: claims.ttlMs,
    leases,
    alarmEpisodes,
    alarmWatcher,
    settle,
    close: () =>
      (closed ??= (async () => {
        await runner.stop();
        await databaseSnapshots.stop();
        // Announcements in flight get a moment to land; a stuck one must never hold the process.
        await settle(3_000);
        for (const client of awsClients) client.destroy();
        await store.close();
      })()),
  };
}

function secretsOf(env: EnvSettings): string[] {
  return [env.slack.botToken, env.slack.signingSecret, env.slack.appToken, env.pagerduty.routingKey, env.pagerduty.apiToken].filter(
    (s): s is string => typeof s === 'string',
  );
}
