import { expect, it } from 'vitest';
import { FIGURE_IDS } from '../scripts/bench/figures.js';
import { describeMachine, renderReport } from '../scripts/bench/report.js';
import { runBenchmark, type BenchmarkSize } from '../scripts/bench/run-benchmark.js';

/** The benchmark at a size that takes seconds: it must still produce every figure; how good they are is not tested here. */
const TINY: BenchmarkSize = {
  ack: { concurrency: 4, rounds: 1 },
  clicks: 2,
  parallel: { small: 2, large: 3 },
  rollouts: { fastest: 10, slowest: 20, verifyMinutes: 0.25 },
  polling: { services: [1, 11], minutes: 0.25 },
  rollbacks: { total: 4, warm: 2 },
  startupRuns: 1,
  idleMs: 0,
  speeds: { process: 30, rollbacks: 30, runbook: 30, polling: 30 },
  // No build in `npm test`: the same entry point, through tsx.
  startCommand: [process.execPath, '--import', 'tsx', 'src/main.ts'],
};

it('produces every figure and a report, with no request the simulators would refuse', async () => {
  const result = await runBenchmark(TINY);
  expect(result.figures.map((f) => f.id)).toEqual([...FIGURE_IDS]);
  for (const figure of result.figures) expect(Number.isFinite(figure.value), figure.id).toBe(true);
  expect(result.polling.map((p) => p.services)).toEqual([1, 11]);
  expect(result.parallel.map((p) => p.run.outcome)).toEqual(['succeeded', 'succeeded']);
  expect(result.botProcess.rollbacks).toEqual({ done: 4, failed: 0 });
  expect(result.violations).toEqual([]);
  const report = renderReport(result, describeMachine(), 'npm run bench', new Date());
  for (const figure of result.figures) expect(report).toContain(figure.label);
}, 180_000);
