import { ScaledClock } from '../../test/support/scaled-clock.js';
import { measureBotProcess, type ProcessFigures } from './bot-process-figures.js';
import type { Figure } from './figures.js';
import { measurePollingCost, type PollingCost } from './polling-cost.js';
import { measureRollback, measureRunbook, REALISTIC_ROLLOUTS, type BaselineRun, type RollbackRun, type Rollouts } from './rollback-runs.js';
import { median, percentile } from './stats.js';
import { launchBot, measureStartup, type StartupSample } from './startup.js';
import { startSimulators } from './world.js';

/** How much to measure, and how fast the simulated clock runs for each part. */
export interface BenchmarkSize {
  ack: { concurrency: number; rounds: number };
  clicks: number;
  /** Services of the two `all` rollbacks (item 3), and how their rollouts go. */
  parallel: { small: number; large: number };
  rollouts: Rollouts;
  polling: { services: number[]; minutes: number };
  rollbacks: { total: number; warm: number };
  startupRuns: number;
  /** How long the idle bot is left alone before its memory is read. */
  idleMs: number;
  speeds: { process: number; rollbacks: number; runbook: number; polling: number };
  /** The bot as a process: `node dist/main.js` for the benchmark. */
  startCommand: string[];
}

/** The sizes. */
export const FULL_SIZE: BenchmarkSize = {
  ack: { concurrency: 50, rounds: 4 },
  clicks: 20,
  parallel: { small: 4, large: 20 },
  rollouts: REALISTIC_ROLLOUTS,
  polling: { services: [1, 5, 10, 20, 50], minutes: 2 },
  rollbacks: { total: 100, warm: 20 },
  startupRuns: 5,
  idleMs: 60_000,
  speeds: { process: 30, rollbacks: 20, runbook: 40, polling: 40 },
  startCommand: [process.execPath, 'dist/main.js'],
};

/** Everything the benchmark measured. */
export interface BenchmarkResult {
  size: BenchmarkSize;
  figures: Figure[];
  oneService: RollbackRun;
  parallel: { run: RollbackRun; baseline: BaselineRun }[];
  polling: PollingCost[];
  startup: StartupSample[];
  idle: { readyRssBytes: number; idleRssBytes: number; afterMs: number };
  botProcess: ProcessFigures;
  /** Requests the simulators would have refused (a sound run has none). */
  violations: string[];
  realMs: number;
}

const MB = 1e6;

/** Runs every measurement of the issue at `size`; `progress` hears what is being measured. */
export async function runBenchmark(size: BenchmarkSize, progress: (line: string) => void = () => undefined): Promise<BenchmarkResult> {
  const began = performance.now();
  const simulators = await startSimulators({
    clock: new ScaledClock(1),
    pagerduty: true,
    environments: { production: { cluster: 'shieldai-production', protected: true, services: { api: { ecsService: 'shieldai-production-api', stabilizeSeconds: 60, healthPath: '/health' } } } },
  });
  let idleBot: Awaited<ReturnType<typeof launchBot>> | undefined;
  try {
    progress(`start-up: ${size.startupRuns} × ${size.startCommand.join(' ')}`);
    const startup = await measureStartup(size.startCommand, simulators, size.startupRuns);
    idleBot = await launchBot(size.startCommand, simulators);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const readyRssBytes = await idleBot.rss();

    progress(`the bot in its own process: ${size.ack.rounds} × ${size.ack.concurrency} slash commands, ${size.clicks} clicks, ${size.rollbacks.total} rollbacks`);
    const botProcess = await measureBotProcess({
      ackConcurrency: size.ack.concurrency,
      ackRounds: size.ack.rounds,
      clicks: size.clicks,
      rollbacks: size.rollbacks.total,
      warmRollbacks: size.rollbacks.warm,
      speed: size.speeds.process,
    });

    progress('one protected service, to its end');
    const oneService = await measureRollback(1, 'one', size.speeds.rollbacks, size.rollouts);
    const parallel: BenchmarkResult['parallel'] = [];
    for (const count of [size.parallel.small, size.parallel.large]) {
      progress(`all with ${count} services, then the runbook over the same ${count}`);
      parallel.push({
        run: await measureRollback(count, 'all', size.speeds.rollbacks, size.rollouts),
        baseline: await measureRunbook(count, size.speeds.runbook, size.rollouts),
      });
    }
    const polling: PollingCost[] = [];
    for (const count of size.polling.services) {
      progress(`AWS calls while ${count} services are watched`);
      polling.push(await measurePollingCost(count, size.polling.minutes, size.speeds.polling));
    }

    const idleFor = performance.now() - idleBot.readyAt;
    if (idleFor < size.idleMs) await new Promise((resolve) => setTimeout(resolve, size.idleMs - idleFor));
    const idle = { readyRssBytes, idleRssBytes: await idleBot.rss(), afterMs: performance.now() - idleBot.readyAt };

    const runs = [oneService, ...parallel.map((p) => p.run)];
    const result: Omit<BenchmarkResult, 'figures'> = {
      size,
      oneService,
      parallel,
      polling,
      startup,
      idle,
      botProcess,
      violations: [...botProcess.violations, ...runs.flatMap((r) => r.violations)],
      realMs: performance.now() - began,
    };
    return { ...result, figures: figuresOf(result) };
  } finally {
    await idleBot?.stop();
    await simulators.stop();
  }
}

function figuresOf(r: Omit<BenchmarkResult, 'figures'>): Figure[] {
  const { botProcess: p, size } = r;
  const ack = `${size.ack.rounds} rounds of ${size.ack.concurrency} at once`;
  const [small, large] = r.parallel;
  const runs = [r.oneService, ...r.parallel.map((x) => x.run)];
  const notices = runs.flatMap((x) => x.noticeDelaysMs);
  const polls = runs.flatMap((x) => x.pollDelaysMs);
  const perPoll = r.polling.map((x) => x.describeServicesPerPoll / Math.ceil(x.services / 10));
  const heap = (m: NodeJS.MemoryUsage) => m.heapUsed;
  const parallelFigures = (which: 'small' | 'large', run: { run: RollbackRun; baseline: BaselineRun } | undefined): Figure[] => [
    {
      id: `parallel.${which}.ratio`,
      item: 3,
      label: `\`all\` with ${run?.run.services} services: wall time ÷ slowest stabilisation`,
      value: run ? run.run.wallMs / run.run.slowestStabilizeMs : Number.NaN,
      unit: '×',
      goal: { max: 1.1, text: '≤ 1.1' },
    },
    {
      id: `parallel.${which}.vs-runbook`,
      item: 3,
      label: `\`all\` with ${run?.run.services} services: wall time ÷ the runbook's`,
      value: run ? run.run.wallMs / run.baseline.wallMs : Number.NaN,
      unit: '×',
      note: run ? `${(run.baseline.wallMs / run.run.wallMs).toFixed(1)}× faster; the runbook took ${(run.baseline.wallMs / run.baseline.slowestStabilizeMs).toFixed(2)} × the slowest stabilisation` : '',
    },
  ];
  return [
    { id: 'ack.p50', item: 1, label: 'Slash command ack, p50', value: percentile(p.ackMs, 50), unit: 'ms', note: ack },
    { id: 'ack.p99', item: 1, label: 'Slash command ack, p99', value: percentile(p.ackMs, 99), unit: 'ms', goal: { max: 50, text: '≤ 50 ms' }, note: ack },
    { id: 'click.p50', item: 2, label: 'Confirm click → first UpdateService sent, p50', value: percentile(p.clickToUpdateMs, 50), unit: 'ms' },
    { id: 'click.p99', item: 2, label: 'Confirm click → first UpdateService sent, p99', value: percentile(p.clickToUpdateMs, 99), unit: 'ms', goal: { max: 250, text: '≤ 250 ms' } },
    ...parallelFigures('small', small),
    ...parallelFigures('large', large),
    {
      id: 'poll.max',
      item: 4,
      label: 'ECS stable → the next poll sees it, max',
      value: Math.max(...polls) / 1000,
      unit: 's',
      goal: { max: 5, text: '≤ 5 s' },
      note: `p50 ${(median(polls) / 1000).toFixed(2)} s`,
    },
    {
      id: 'notice.max',
      item: 4,
      label: 'ECS stable → the engine reports the service done, max',
      value: Math.max(...notices) / 1000,
      unit: 's',
      note: `p50 ${(median(notices) / 1000).toFixed(2)} s; adds the poll's answer, its real round trip scaled ${size.speeds.rollbacks}× by the clock`,
    },
    {
      id: 'aws.describe-per-poll',
      item: 5,
      label: 'DescribeServices per poll ÷ ⌈N/10⌉, worst N',
      value: Math.max(...perPoll),
      unit: '×',
      goal: { max: 1, text: '≤ 1 (⌈N/10⌉ calls per poll)' },
    },
    { id: 'slack.one-service', item: 5, label: 'Slack calls for a one-service rollback', value: r.oneService.slack.calls, unit: 'calls', goal: { max: 15, text: '≤ 15' } },
    { id: 'slack.many-services', item: 5, label: `Slack calls for \`all\` with ${large?.run.services} services`, value: large?.run.slack.calls ?? Number.NaN, unit: 'calls', goal: { max: 40, text: '≤ 40' } },
    {
      id: 'slack.peak-per-channel',
      item: 5,
      label: 'Peak Slack writes per channel in any second',
      value: Math.max(...runs.map((x) => x.slack.peakPerChannelPerSecond)),
      unit: '/s',
      goal: { max: 1, text: '≤ 1/s' },
      note: `shortest gap ${(Math.min(...runs.map((x) => x.slack.minGapMs)) / 1000).toFixed(2)} s`,
    },
    { id: 'rss.ready', item: 6, label: 'RSS 1 s after ready', value: r.idle.readyRssBytes / MB, unit: 'MB' },
    { id: 'rss.idle', item: 6, label: `RSS idle (${Math.round(r.idle.afterMs / 1000)} s after ready)`, value: r.idle.idleRssBytes / MB, unit: 'MB', goal: { max: 120, text: '≤ 120 MB' } },
    {
      id: 'heap.growth',
      item: 6,
      label: `Heap after full GC: after ${size.rollbacks.total} rollbacks minus after ${size.rollbacks.warm}`,
      value: (heap(p.memory.after) - heap(p.memory.warm)) / MB,
      unit: 'MB',
      goal: { max: 2, text: 'no growth (≤ 2 MB)' },
    },
    { id: 'rss.after-rollbacks', item: 6, label: `RSS after ${size.rollbacks.total} rollbacks (bench bot process, tsx)`, value: p.memory.after.rss / MB, unit: 'MB', note: `idle in that process: ${(p.memory.idle.rss / MB).toFixed(0)} MB` },
    { id: 'startup.median', item: 6, label: 'Start-up to ready, median', value: median(r.startup.map((s) => s.readyMs)) / 1000, unit: 's', goal: { max: 1.5, text: '≤ 1.5 s' } },
    { id: 'startup.max', item: 6, label: 'Start-up to ready, slowest', value: Math.max(...r.startup.map((s) => s.readyMs)) / 1000, unit: 's' },
  ];
}
