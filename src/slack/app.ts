import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type CustomRoute } from '@slack/bolt';
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
    const receiver = new SocketModeReceiver({ appToken: settings.appToken, customRoutes, installerOptions: { port }, logger: boltLogger });
    const app = new App({ token: settings.botToken, receiver, logger: boltLogger, clientOptions, tokenVerificationEnabled: false });
    return {
      app,
      mode: 'socket',
      start: async () => {
        await app.start();
        return port;
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
  const app = new App({ token: settings.botToken, receiver, logger: boltLogger, clientOptions, tokenVerificationEnabled: false });
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
