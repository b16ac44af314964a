import { createEngine, type Engine, type EngineOverrides } from './composition/create-engine.js';
import { loadSettings, StartupError } from './composition/load-settings.js';
import { locksRoute } from './composition/locks-route.js';
import type { Catalog } from './domain/catalog.js';
import { createSlackApp, type HttpRoute } from './slack/app.js';
import { BackgroundTasks } from './slack/background-tasks.js';
import { registerOfferAction } from './slack/listeners/offer-action.js';
import { registerPromptActions } from './slack/listeners/prompt-actions.js';
import { registerRollbackCommand } from './slack/listeners/rollback-command.js';
import type { SlackDeps } from './slack/slack-deps.js';

export { StartupError };

/** Seams for tests and the demo; production passes none of them. */
export interface BotOverrides extends EngineOverrides {
  /** Where the message templates are; default the shipped templates/. */
  templatesDir?: string;
  /** False: no alarm watcher (tests whose fake clock must not be moved by its polls). Default true. */
  watchAlarms?: boolean;
}

/** A started bot: the engine, the Slack receiver on its port, and what tests and the entry point need. */
export interface RunningBot extends Pick<Engine, 'store' | 'runner' | 'answerer' | 'events' | 'metrics' | 'logger'> {
  port: number;
  mode: 'socket' | 'http';
  catalog: Catalog;
  engine: Engine;
  /** Resolves when queued Slack messages and event deliveries so far are done (tests). */
  settled(): Promise<void>;
  /** Stops taking requests, lets in-flight work write its state, and closes the store. */
  stop(): Promise<void>;
}

/** Starts the Slack bot: settings → engine → Slack receiver with /healthz and /metrics → resume what was in flight. */
export async function startBot(env: Record<string, string | undefined>, overrides: BotOverrides = {}): Promise<RunningBot> {
  const settings = await loadSettings(env, overrides.templatesDir);
  const engine = await createEngine(settings, overrides);
  const { catalog } = settings;
  const { store, metrics, logger, clock, answerer } = engine;

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
    locksRoute(engine.locking),
  ];
  const slack = createSlackApp(settings.env.slack, settings.env.port, routes, logger);
  const tasks = new BackgroundTasks(logger);
  const deps: SlackDeps = {
    catalog,
    requester: engine.requester,
    answerer,
    prompts: store,
    poster: engine.poster,
    metrics,
    logger,
    tasks,
    now: () => clock.now(),
    databaseRestores: engine.databaseRestores,
    databaseSnapshots: engine.databaseSnapshots,
  };
  registerRollbackCommand(slack.app, { ...deps, operator: { status: engine.statusReporter, history: engine.history, locking: engine.locking } });
  registerPromptActions(slack.app, deps);
  registerOfferAction(slack.app, deps);

  let port: number;
  try {
    port = await slack.start();
  } catch (err) {
    await engine.close();
    const code = (err as NodeJS.ErrnoException).code;
    const listening = slack.mode === 'http' || code === 'EADDRINUSE' || code === 'EACCES';
    const what = listening ? `listen on PORT ${settings.env.port}` : 'connect to Slack in Socket Mode (check SLACK_APP_TOKEN and SLACK_API_URL)';
    throw new StartupError([`cannot ${what}: ${err instanceof Error ? err.message : String(err)}`], 1);
  }
  const resumed = await engine.runner.resumeAll();
  const sweeper = setInterval(() => {
    answerer.expireDue().catch((err: unknown) => logger.warn({ err }, 'prompt expiry sweep failed'));
  }, 30_000);
  sweeper.unref();
  // Adopts rollbacks whose replica died (its claim expired) or that another replica released when it stopped.
  const adopter = setInterval(() => {
    engine.runner.resumeAll().catch((err: unknown) => logger.warn({ err }, 'adopting orphaned rollbacks failed'));
  }, engine.claimTtlMs / 2);
  adopter.unref();
  if (overrides.watchAlarms !== false) engine.alarmWatcher.start();
  logger.info({ port, mode: slack.mode, environments: Object.keys(catalog.environments), resumed }, 'rollback-bot ready');

  let stopped: Promise<void> | null = null;
  return {
    port,
    mode: slack.mode,
    catalog,
    engine,
    store,
    runner: engine.runner,
    answerer,
    events: engine.events,
    metrics,
    logger,
    settled: async () => {
      await tasks.drain(10_000);
      await engine.settle(10_000);
    },
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(sweeper);
        clearInterval(adopter);
        // First, so the lease is handed back and another replica watches alarms at its next poll.
        await engine.alarmWatcher.stop();
        await slack.stop().catch((err: unknown) => logger.warn({ err }, 'Slack receiver did not stop cleanly'));
        await tasks.drain(5_000);
        await engine.close();
      })()),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
