import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import type { DestinationStream } from 'pino';
import { parseEnv, type EnvSettings } from './config/env.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import type { Catalog } from './domain/catalog.js';
import { createCloudWatchAlarms } from './adapters/aws/cloudwatch-alarms.js';
import { createEcsDeployments } from './adapters/aws/ecs-deployments.js';
import { createHealthProbe } from './adapters/http/health-probe.js';
import { createPager } from './adapters/pagerduty/create-pager.js';
import { openStore } from './adapters/store/open-store.js';
import { createLogger } from './observability/logger.js';
import { createMetrics, type BotMetrics } from './observability/metrics.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { RollbackStore } from './ports/store.js';
import { PromptAnswerer } from './rollbacks/answer-prompt.js';
import { AuditTrail } from './rollbacks/audit-trail.js';
import { RollbackPlanner } from './rollbacks/plan-rollback.js';
import { RollbackEventBus } from './rollbacks/rollback-events.js';
import { RollbackRequester } from './rollbacks/request-rollback.js';
import { RollbackRunner } from './rollbacks/rollback-runner.js';
import { createSlackApp, type HttpRoute } from './slack/app.js';
import { BackgroundTasks } from './slack/background-tasks.js';
import { registerPromptActions } from './slack/listeners/prompt-actions.js';
import { registerRollbackCommand } from './slack/listeners/rollback-command.js';
import { createIncidentAnnouncer } from './slack/incident-announcer.js';
import { loadTemplates, TEMPLATES_DIR, TemplateError, type MessageTemplates } from './slack/render/templates.js';
import { createRequesterNotifier } from './slack/requester-notifier.js';
import { SlackPoster } from './slack/slack-poster.js';
import type { SlackDeps } from './slack/slack-deps.js';

/** Seams for tests and the demo; production passes none of them. */
export interface BotOverrides {
  clock?: Clock;
  logDestination?: DestinationStream;
  /** AWS endpoint and credentials for local simulators; unset, the SDK's own chain and AWS_ENDPOINT_URL_* apply. */
  aws?: { endpoint?: { ecs?: string; cloudwatch?: string }; credentials?: ECSClientConfig['credentials'] };
  /** Minimum gap between two Slack messages in one channel (Slack allows about one a second). */
  slackChannelIntervalMs?: number;
  /** Where the message templates are; default the shipped templates/. */
  templatesDir?: string;
}

/** A started bot and the handles tests and the process entry point need. */
export interface RunningBot {
  port: number;
  mode: 'socket' | 'http';
  catalog: Catalog;
  store: RollbackStore;
  runner: RollbackRunner;
  answerer: PromptAnswerer;
  events: RollbackEventBus;
  metrics: BotMetrics;
  logger: Logger;
  /** Resolves when queued Slack messages and event deliveries so far are done (tests). */
  settled(): Promise<void>;
  /** Stops taking requests, lets in-flight work write its state, and closes the store. */
  stop(): Promise<void>;
}

/** Why the bot could not start, in lines an operator can act on, with the exit code to use. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(
    readonly lines: string[],
    readonly exitCode: number,
  ) {
    super(lines.join('\n'));
  }
}

/** The composition root: validated config → SDK clients → adapters → use cases → Slack app. */
export async function startBot(env: Record<string, string | undefined>, overrides: BotOverrides = {}): Promise<RunningBot> {
  const parsedEnv = parseEnv(env);
  if (!parsedEnv.ok) throw new StartupError(parsedEnv.problems.map((p) => `environment variable ${p}`), 2);
  const settings = parsedEnv.value;
  let catalog: Catalog;
  try {
    catalog = await loadConfig(settings.configPath);
  } catch (err) {
    if (err instanceof ConfigError) throw new StartupError(err.problems, 2);
    throw err;
  }

  let templates: MessageTemplates;
  try {
    templates = await loadTemplates(overrides.templatesDir ?? TEMPLATES_DIR);
  } catch (err) {
    if (err instanceof TemplateError) throw new StartupError(err.problems, 2);
    throw err;
  }

  const clock = overrides.clock ?? systemClock;
  const logger = createLogger(settings.logLevel, secretsOf(settings), overrides.logDestination);
  let store: RollbackStore;
  try {
    store = await openStore({ ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}), dataDir: settings.dataDir, logger });
  } catch (err) {
    const where = settings.databaseUrl ? 'the PostgreSQL database in DATABASE_URL' : `the SQLite store in DATA_DIR (${settings.dataDir})`;
    throw new StartupError([`cannot open ${where}: ${err instanceof Error ? err.message : String(err)}`], 1);
  }

  const awsClients: { destroy(): void }[] = [];
  const awsOptions = (endpoint: string | undefined) => ({
    maxAttempts: 5,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 20_000, throwOnRequestTimeout: true },
    ...(endpoint ? { endpoint } : {}),
    ...(overrides.aws?.credentials ? { credentials: overrides.aws.credentials } : {}),
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
  const probe = createHealthProbe();
  // CONTRACT: without a `pagerduty` section no incident is opened, whatever keys the environment holds.
  const pager = createPager(
    catalog.pagerduty
      ? { ...settings.pagerduty, urgency: catalog.pagerduty.urgency, ...(catalog.pagerduty.serviceId ? { serviceId: catalog.pagerduty.serviceId } : {}) }
      : { apiUrl: settings.pagerduty.apiUrl, eventsUrl: settings.pagerduty.eventsUrl, urgency: 'high' },
    logger,
  );

  const metrics = createMetrics();
  const events = new RollbackEventBus((err, event) => logger.warn({ err, event: event.type }, 'event subscriber failed'));
  events.subscribe(metrics.onEvent);
  const audit = new AuditTrail(store, clock);
  const runner = new RollbackRunner({ store, deployments, clock, events, audit, catalog, logger, alarms, probe });
  const planner = new RollbackPlanner(deployments);
  const requester = new RollbackRequester({ catalog, planner, store, runner, audit, clock });
  const answerer = new PromptAnswerer({ catalog, store, runner, audit, events, clock });

  const routes: HttpRoute[] = [
    {
      path: '/healthz',
      handle: async (_req, res) => {
        try {
          await withTimeout(store.ping(), 2_000);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
        } catch {
          res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'store unreachable' }));
        }
      },
    },
    {
      path: '/metrics',
      handle: async (_req, res) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
      },
    },
  ];
  const slack = createSlackApp(settings.slack, settings.port, routes, logger);
  const poster = new SlackPoster(slack.app.client, clock, logger.child({ component: 'slack-poster' }), overrides.slackChannelIntervalMs ?? 1000);
  const tasks = new BackgroundTasks(logger);
  const deps: SlackDeps = { catalog, requester, answerer, prompts: store, poster, metrics, logger, tasks, now: () => clock.now() };
  registerRollbackCommand(slack.app, deps);
  registerPromptActions(slack.app, deps);
  events.subscribe(createIncidentAnnouncer({ catalog, poster, templates, pager, store, logger, now: () => clock.now() }));
  events.subscribe(createRequesterNotifier(deps));

  let port: number;
  try {
    port = await slack.start();
  } catch (err) {
    await store.close();
    throw new StartupError([`cannot listen on PORT ${settings.port}: ${err instanceof Error ? err.message : String(err)}`], 1);
  }
  const resumed = await runner.resumeAll();
  const sweeper = setInterval(() => {
    answerer.expireDue().catch((err: unknown) => logger.warn({ err }, 'prompt expiry sweep failed'));
  }, 30_000);
  sweeper.unref();
  logger.info({ port, mode: slack.mode, environments: Object.keys(catalog.environments), resumed }, 'rollback-bot ready');

  let stopped: Promise<void> | null = null;
  return {
    port,
    mode: slack.mode,
    catalog,
    store,
    runner,
    answerer,
    events,
    metrics,
    logger,
    settled: async () => {
      await events.settled();
      await tasks.drain(10_000);
      await poster.idle();
    },
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(sweeper);
        await slack.stop().catch((err: unknown) => logger.warn({ err }, 'Slack receiver did not stop cleanly'));
        await tasks.drain(5_000);
        await runner.stop();
        // Announcements in flight get a moment to land; a stuck one must never hold the process.
        await Promise.race([Promise.all([events.settled(), poster.idle()]), new Promise((r) => setTimeout(r, 3_000).unref())]);
        for (const client of awsClients) client.destroy();
        await store.close();
      })()),
  };
}

function secretsOf(settings: EnvSettings): string[] {
  return [settings.slack.botToken, settings.slack.signingSecret, settings.slack.appToken, settings.pagerduty.routingKey, settings.pagerduty.apiToken].filter(
    (s): s is string => typeof s === 'string',
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
