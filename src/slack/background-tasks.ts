import { randomBytes } from 'node:crypto';
import type { Logger } from '../ports/logger.js';

/**
 * Work a listener hands off after acking. Failures are logged with a correlation id, and the
 * listener's `onFailure` tells the user that id instead of a stack trace.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Starts `task` without waiting for it, once the requests already received have been acked. */
  run(label: string, task: () => Promise<void>, onFailure: (correlationId: string) => Promise<unknown>): void {
    // Started at once, each task's first burst of work (SQLite, SDK request signing) ran before the next
    // request already waiting on the socket got its ack: with 50 commands at once the last ack waited
    // behind 49 plans. setImmediate runs after the pending I/O, so acks go first.
    const promise = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch(async (err: unknown) => {
        const correlationId = randomBytes(4).toString('hex');
        this.logger.error({ err, task: label, correlationId }, 'background task failed');
        await onFailure(correlationId).catch((notifyErr: unknown) =>
          this.logger.warn({ err: notifyErr, correlationId }, 'could not tell the user about a failure'),
        );
      })
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  /** Resolves when every task started so far has finished, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
    }
  }
}
