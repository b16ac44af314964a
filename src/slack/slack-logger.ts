import { LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../ports/logger.js';

/** Bolt and the Slack Web API client log through our pino logger, so the same redaction and scrubbing apply. */
export function toSlackLogger(logger: Logger, component: string): SlackLogger {
  const child = logger.child({ component });
  let level = LogLevel.INFO;
  const text = (args: unknown[]) => ({
    msg: args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' '),
  });
  return {
    debug: (...args) => child.debug(text(args)),
    info: (...args) => child.info(text(args)),
    warn: (...args) => child.warn(text(args)),
    error: (...args) => child.error(text(args)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
