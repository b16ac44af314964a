import { expect, it } from 'vitest';
import { ScaledClock } from './scaled-clock.js';

it('runs faster than real time and never wakes a sleeper before its simulated time', async () => {
  const clock = new ScaledClock(200, 0);
  const until = clock.now() + 1_000;
  await clock.sleep(1_000);
  expect(clock.now()).toBeGreaterThanOrEqual(until);
});

it('ends a pending sleep at the same simulated time when the speed changes, and maps past instants at the speed they ran', async () => {
  const clock = new ScaledClock(1, 0);
  const before = performance.timeOrigin + performance.now();
  const sleeping = clock.sleep(2_000);
  clock.setSpeed(500);
  await sleeping;
  expect(clock.now()).toBeGreaterThanOrEqual(2_000);
  expect(clock.simulated(before)).toBeLessThan(100);
});

it('rejects a sleep with the reason of its aborted signal', async () => {
  const clock = new ScaledClock(1);
  const abort = new AbortController();
  const sleeping = clock.sleep(60_000, abort.signal);
  abort.abort(new Error('stopping'));
  await expect(sleeping).rejects.toThrow('stopping');
});

it('shares its time with a clock built from its settings, as a child process does', () => {
  const clock = new ScaledClock(30, Date.UTC(2026, 10, 23, 14, 2));
  const twin = ScaledClock.from(clock.settings);
  expect(Math.abs(twin.now() - clock.now())).toBeLessThan(1_000);
});
