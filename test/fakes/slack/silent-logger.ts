import { LogLevel, type Logger } from '@slack/web-api';

/** A Slack SDK logger that drops everything: the tests provoke errors the SDK would otherwise print. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};
