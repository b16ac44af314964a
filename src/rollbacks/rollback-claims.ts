import type { Clock } from '../ports/clock.js';
import type { LeasesPort } from '../ports/leases.js';
import type { Logger } from '../ports/logger.js';

/** What holding a claim needs. */
export interface ClaimDeps {
  leases: LeasesPort;
  /** Names this process among the replicas. */
  holder: string;
  ttlMs: number;
  clock: Clock;
  logger: Logger;
}

/**
 * Runs `work` only if this replica takes the lease `name`, renews it every third of its TTL while
 * the work runs, and aborts the work's signal if another replica ever takes it over (this one
 * stalled past the TTL). The lease is released at the end, so a stopping replica hands over at once.
 * `onDecided` is called as soon as it is known whether this replica got the lease. Returns whether it ran.
 */
export async function withClaim(
  deps: ClaimDeps,
  name: string,
  stop: AbortSignal,
  onDecided: () => void,
  work: (signal: AbortSignal) => Promise<void>,
): Promise<boolean> {
  const { leases, holder, ttlMs, clock, logger } = deps;
  let acquired: boolean;
  try {
    acquired = await leases.acquire(name, holder, new Date(clock.now()), ttlMs);
  } finally {
    onDecided();
  }
  if (!acquired) return false;
  const lost = new AbortController();
  const signal = AbortSignal.any([stop, lost.signal]);
  const heartbeat = (async () => {
    while (!signal.aborted) {
      try {
        await clock.sleep(ttlMs / 3, signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if (!(await leases.acquire(name, holder, new Date(clock.now()), ttlMs))) {
        logger.warn({ lease: name }, 'another replica took over; stopping here');
        lost.abort(new Error('claim lost'));
      }
    }
  })();
  try {
    await work(signal);
  } finally {
    lost.abort(new Error('work over'));
    await heartbeat.catch((err: unknown) => logger.warn({ err, lease: name }, 'claim renewal failed'));
    await leases.release(name, holder).catch((err: unknown) => logger.warn({ err, lease: name }, 'claim not released; it expires by itself'));
  }
  return true;
}
