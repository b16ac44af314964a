import { pino, type DestinationStream } from 'pino';
import type { Logger } from '../ports/logger.js';

/** Field paths that may carry credentials; pino replaces their values before anything is written. */
const REDACT_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'signingSecret',
  '*.signingSecret',
  'routing_key',
  '*.routing_key',
];

/**
 * The app's structured logger. Besides redacting known fields, every finished line passes through
 * a scrubber that removes each configured secret wherever it appears, so no token reaches a log.
 */
export function createLogger(level: string, secrets: string[], destination: DestinationStream = process.stdout): Logger {
  const scrub = secretScrubber(secrets);
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    { write: (line: string) => destination.write(scrub(line)) },
  );
}

/** Replaces every occurrence of each secret (of at least 8 characters) in a string. */
export function secretScrubber(secrets: (string | undefined)[]): (text: string) => string {
  const real = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
  return (text) => (real.some((s) => text.includes(s)) ? real.reduce((t, s) => t.split(s).join('[redacted]'), text) : text);
}
