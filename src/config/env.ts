import { z } from 'zod';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const optionalNonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

/** The environment variables of CONTRACT.md. */
const envSchema = z
  .object({
    SLACK_BOT_TOKEN: nonEmpty,
    SLACK_SIGNING_SECRET: optionalNonEmpty,
    SLACK_APP_TOKEN: optionalNonEmpty.refine((v) => v === undefined || v.startsWith('xapp-'), 'must start with xapp-'),
    SLACK_API_URL: optionalNonEmpty.pipe(httpUrl.optional()),
    PORT: optionalNonEmpty
      .refine((v) => v === undefined || (/^\d{1,5}$/.test(v) && Number(v) <= 65535), 'must be a port number from 0 to 65535')
      .transform((v) => (v === undefined ? undefined : Number(v))),
    ROLLBACK_CONFIG: optionalNonEmpty,
    DATABASE_URL: optionalNonEmpty.refine(
      (v) => v === undefined || /^postgres(ql)?:\/\/./.test(v),
      'must be a postgres:// URL',
    ),
    DATA_DIR: optionalNonEmpty,
    AWS_REGION: optionalNonEmpty,
    PAGERDUTY_ROUTING_KEY: optionalNonEmpty,
    PAGERDUTY_API_TOKEN: optionalNonEmpty,
    PAGERDUTY_FROM: optionalNonEmpty.pipe(z.email('must be an e-mail address').optional()),
    PAGERDUTY_API_URL: optionalNonEmpty.pipe(httpUrl.optional()),
    PAGERDUTY_EVENTS_URL: optionalNonEmpty.pipe(httpUrl.optional()),
    LOG_LEVEL: optionalNonEmpty.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
  });

/** Rules across variables, checked even when single variables are wrong so every problem is listed at once. */
function crossChecks(env: Record<string, string | undefined>, receivesSlack: boolean): string[] {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  if (receivesSlack && !set('SLACK_APP_TOKEN') && !set('SLACK_SIGNING_SECRET')) {
    problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (set it, or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (set('PAGERDUTY_API_TOKEN') && !set('PAGERDUTY_FROM')) problems.push('PAGERDUTY_FROM: required with PAGERDUTY_API_TOKEN');
  return problems;
}

/** The process settings that come from environment variables, validated. */
export interface EnvSettings {
  slack: {
    botToken: string;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string;
  };
  port: number;
  configPath: string;
  databaseUrl: string | undefined;
  dataDir: string;
  awsRegion: string | undefined;
  pagerduty: {
    routingKey: string | undefined;
    apiToken: string | undefined;
    from: string | undefined;
    apiUrl: string;
    eventsUrl: string;
  };
  logLevel: string;
}

/**
 * Parses the environment; problems come back as `NAME: message` lines. The command line sends to Slack
 * but receives nothing from it, so it needs no signing secret or app token (`receivesSlack: false`).
 */
export function parseEnv(
  env: Record<string, string | undefined>,
  options: { receivesSlack: boolean } = { receivesSlack: true },
): { ok: true; value: EnvSettings } | { ok: false; problems: string[] } {
  const parsed = envSchema.safeParse(env);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => {
          const key = String(i.path[0] ?? '');
          return `${key}: ${env[key] === undefined && i.code === 'invalid_type' ? 'required' : i.message}`;
        })),
    ...crossChecks(env, options.receivesSlack),
  ];
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const e = parsed.data;
  return {
    ok: true,
    value: {
      slack: {
        botToken: e.SLACK_BOT_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET,
        appToken: e.SLACK_APP_TOKEN,
        apiUrl: withTrailingSlash(e.SLACK_API_URL ?? 'https://slack.com/api/'),
      },
      port: e.PORT ?? 3000,
      configPath: e.ROLLBACK_CONFIG ?? './rollback.config.yaml',
      databaseUrl: e.DATABASE_URL,
      dataDir: e.DATA_DIR ?? './data',
      awsRegion: e.AWS_REGION,
      pagerduty: {
        routingKey: e.PAGERDUTY_ROUTING_KEY,
        apiToken: e.PAGERDUTY_API_TOKEN,
        from: e.PAGERDUTY_FROM,
        apiUrl: withoutTrailingSlash(e.PAGERDUTY_API_URL ?? 'https://api.pagerduty.com'),
        eventsUrl: withoutTrailingSlash(e.PAGERDUTY_EVENTS_URL ?? 'https://events.pagerduty.com'),
      },
      logLevel: e.LOG_LEVEL ?? 'info',
    },
  };
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
