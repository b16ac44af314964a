import { StartupError, startBot } from './bot.js';

/** The process entry point: start, exit 2 on bad config, stop gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let bot;
  try {
    bot = await startBot(process.env);
  } catch (err) {
    if (err instanceof StartupError) {
      for (const line of err.lines) process.stderr.write(`rollback-bot: ${line}\n`);
      process.exit(err.exitCode);
    }
    throw err;
  }
  const running = bot;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.logger.info({ signal }, 'stopping: no new commands; in-flight rollbacks resume at next start');
    const deadline = setTimeout(() => {
      running.logger.error({}, 'graceful stop took too long; exiting');
      process.exit(1);
    }, 9_000);
    deadline.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        running.logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`rollback-bot: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
