import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver, type Authorize, type CustomRoute } from '@slack/bolt';
import { toSlackLogger } from './slack-logger.js';
import type { EnvSettings } from '../config/env.js';
import type { Logger } from '../ports/logger.js';

/** A plain HTTP route served beside Slack's (`/healthz`, `/metrics`, later `/locks`). */
export interface HttpRoute {
  path: string;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

/** A Bolt app on the receiver CONTRACT.md asks for: Socket Mode with an app token, else HTTP at /slack/events. */
export interface SlackApp {
  app: InstanceType<typeof App>;
  mode: 'socket' | 'http';
  /** Starts listening; resolves with the HTTP port actually bound. */
  start(): Promise<number>;
  stop(): Promise<void>;
}

/** Builds the Bolt app and its receiver; nothing listens until `start`. */
export function createSlackApp(settings: EnvSettings['slack'], port: number, routes: HttpRoute[], logger: Logger): SlackApp {
  const boltLogger = toSlackLogger(logger, 'bolt');
  const customRoutes: CustomRoute[] = routes.map((r) => ({
    path: r.path,
    method: ['GET'],
    handler: (req, res) => void Promise.resolve(r.handle(req, res)).catch((err: unknown) => {
      logger.error({ err, path: r.path }, 'route failed');
      if (!res.headersSent) res.writeHead(500).end();
    }),
  }));
  const clientOptions = { slackApiUrl: settings.apiUrl, retryConfig: { retries: 5, factor: 1.6, minTimeout: 500, maxTimeout: 20_000 } };

  if (settings.appToken) {
    // The receiver's own client calls apps.connections.open, so it needs SLACK_API_URL as well; its retries stay
    // Socket Mode's, which keep reconnecting through a long Slack outage.
    const installerOptions = { port, clientOptions: { slackApiUrl: settings.apiUrl } };
    const receiver = new SocketModeReceiver({ appToken: settings.appToken, customRoutes, installerOptions, logger: boltLogger });
    // Bolt serves the routes on a server it keeps private, never says which port it bound and leaves a listen error
    // unhandled (a crash): watch that server for both.
    const routeServer = (receiver as unknown as { httpServer?: Server }).httpServer;
    const app: App = new App({ authorize: authorizeOnce(settings.botToken, () => app.client, logger), receiver, logger: boltLogger, clientOptions });
    return {
      app,
      mode: 'socket',
      start: async () => {
        const bound = routeServer ? boundPort(routeServer) : Promise.resolve(port);
        await Promise.all([bound, app.start()]);
        return bound;
      },
      stop: () => app.stop().then(() => undefined),
    };
  }

  const receiver = new HTTPReceiver({
    signingSecret: settings.signingSecret ?? '',
    endpoints: '/slack/events',
    customRoutes,
    processBeforeResponse: false,
    logger: boltLogger,
    unhandledRequestTimeoutMillis: 2500,
  });
  const app: App = new App({ authorize: authorizeOnce(settings.botToken, () => app.client, logger), receiver, logger: boltLogger, clientOptions });
  return {
    app,
    mode: 'http',
    start: async () => {
      const server = (await app.start(port)) as { address(): { port: number } | string | null };
      const address = server.address();
      return typeof address === 'object' && address ? address.port : port;
    },
    stop: () => app.stop().then(() => undefined),
  };
}

/** Resolves with the port `server` binds once it listens; rejects with its listen error. */
function boundPort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Bolt given only a token asks Slack's auth.test before every request it handles, so every ack waited on a
 * round trip to Slack: ask once, keep the answer, and ask again only after a failure. Commands and buttons
 * need only the token, so a failed auth.test (Slack down) never stops a request from being acked.
 */
function authorizeOnce(botToken: string, client: () => App['client'], logger: Logger): Authorize<boolean> {
  let identity: Promise<{ botId: string | undefined; botUserId: string | undefined }> | undefined;
  return async () => {
    identity ??= client()
      .auth.test({ token: botToken })
      .then((answer) => ({ botId: answer.bot_id, botUserId: answer.user_id }));
    try {
      return { botToken, ...(await identity) };
    } catch (err) {
      identity = undefined;
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'auth.test failed; handling the request with the token alone');
      return { botToken };
    }
  };
}
