import type { Clock } from '../../src/ports/clock.js';

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * A clock that only moves when told to, or, with `autoAdvance()`, jumps straight to the next
 * pending sleep whenever the program is idle in between, so minutes of polling pass in milliseconds.
 */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private seq = 0;
  private auto: NodeJS.Timeout | null = null;

  constructor(start: number | Date = Date.UTC(2026, 10, 22, 3, 0, 0)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        at: this.current + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Number of sleeps waiting to be woken. */
  get pending(): number {
    return this.sleepers.length;
  }

  /** Moves time forward by `ms`, waking every sleep that falls due, in order. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  /** Moves time to `at`, waking every sleep due by then, in order. */
  advanceTo(at: number): void {
    for (;;) {
      const next = this.nextSleeper();
      if (!next || next.at > at) break;
      this.current = Math.max(this.current, next.at);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
    }
    this.current = Math.max(this.current, at);
  }

  /**
   * Whenever sleeps are pending, jump to the earliest one after a few real milliseconds of idleness.
   * The short real pause lets HTTP round trips to local fakes finish before time moves on.
   */
  autoAdvance(idleMs = 2): void {
    if (this.auto) return;
    const tick = () => {
      const next = this.nextSleeper();
      if (next) this.advanceTo(next.at);
      this.auto = setTimeout(tick, idleMs);
      this.auto.unref();
    };
    this.auto = setTimeout(tick, idleMs);
    this.auto.unref();
  }

  /** Stops `autoAdvance`. */
  stopAutoAdvance(): void {
    if (this.auto) clearTimeout(this.auto);
    this.auto = null;
  }

  private nextSleeper(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    return best;
  }
}
