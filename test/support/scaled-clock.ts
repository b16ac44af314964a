import type { Clock } from '../../src/ports/clock.js';

/** What makes two scaled clocks (in two processes, say) show the same time. */
export interface ScaledClockSettings {
  speed: number;
  /** The simulated time at `realAnchor`, epoch ms. */
  start: number;
  /** A real instant, epoch ms with sub-millisecond precision (see `realNow`). */
  realAnchor: number;
}

/** The wall clock with the precision of `performance.now()`, comparable between processes on one machine. */
function realNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Real time run `speed` times faster from `start` on: minutes of ECS rollouts and polling pass in
 * seconds, while HTTP round trips, timers and Slack's pacing keep their real order. The demo and the
 * benchmark give one of these to the bot and every fake, so they all see the same simulated time.
 */
export class ScaledClock implements Clock {
  private current: ScaledClockSettings;
  /** Every speed the clock has run at, oldest first, so that past real instants map to the time shown then. */
  private readonly history: ScaledClockSettings[];
  /** Re-arms each pending sleep's timer, for when the speed changes. */
  private readonly sleepers = new Set<() => void>();

  constructor(speed: number, start: number = Date.now(), realAnchor: number = realNow()) {
    this.current = { speed: checked(speed), start, realAnchor };
    this.history = [this.current];
  }

  /** A clock showing the same time as the one these settings came from. */
  static from(settings: ScaledClockSettings): ScaledClock {
    return new ScaledClock(settings.speed, settings.start, settings.realAnchor);
  }

  /** What another process needs to build the same clock (until the speed changes). */
  get settings(): ScaledClockSettings {
    return { ...this.current };
  }

  get speed(): number {
    return this.current.speed;
  }

  /** From now on, runs `speed` times faster than real time; pending sleeps end at the same simulated time. */
  setSpeed(speed: number): void {
    const anchor = realNow();
    this.current = { speed: checked(speed), start: this.simulated(anchor), realAnchor: anchor };
    this.history.push(this.current);
    for (const rearm of this.sleepers) rearm();
  }

  now(): number {
    return this.simulated(realNow());
  }

  /** The simulated time at a real instant (epoch ms), e.g. the arrival time a fake recorded with Date.now(). */
  simulated(realEpochMs: number): number {
    const segment = this.history.findLast((s) => s.realAnchor <= realEpochMs) ?? this.history[0]!;
    return segment.start + (realEpochMs - segment.realAnchor) * segment.speed;
  }

  /** Simulated milliseconds as real ones, at the current speed. */
  toRealMs(simulatedMs: number): number {
    return simulatedMs / this.current.speed;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const until = this.now() + Math.max(0, ms);
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(arm);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        reject(signal?.reason);
      };
      // Timers round to whole real milliseconds and may fire a hair early; a sleeper must never wake
      // before its simulated time, or a 1 s pacing gap would show as 0.98 s.
      const arm = () => {
        clearTimeout(timer);
        const left = until - this.now();
        if (left <= 0) {
          done();
          resolve();
          return;
        }
        timer = setTimeout(arm, Math.max(1, Math.ceil(this.toRealMs(left))));
      };
      this.sleepers.add(arm);
      signal?.addEventListener('abort', onAbort, { once: true });
      arm();
    });
  }
}

function checked(speed: number): number {
  if (!(speed > 0)) throw new Error(`a scaled clock needs a positive speed, not ${speed}`);
  return speed;
}
