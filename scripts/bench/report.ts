import { cpus, loadavg, platform, release, totalmem, availableParallelism } from 'node:os';
import { passes, type Figure } from './figures.js';
import type { BenchmarkResult } from './run-benchmark.js';
import { percentile, round } from './stats.js';

/** Where the benchmark ran, for the report. */
export interface Machine {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  os: string;
  loadAtStart: number[];
}

/** This machine, now. */
export function describeMachine(): Machine {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAtStart: loadavg(),
  };
}

const fmt = (n: number, unit = '') => {
  if (!Number.isFinite(n)) return 'n/a';
  // A ratio of 1.002 must not read as a bare 1.
  const shown = unit === '×' ? n.toFixed(n < 0.1 ? 3 : 2) : String(round(n));
  return `${shown}${unit ? ` ${unit}` : ''}`;
};
const seconds = (ms: number) => `${round(ms / 1000)} s`;
const verdict = (f: Figure) => ({ true: 'pass', false: '**MISS**', null: '' })[String(passes(f)) as 'true' | 'false' | 'null'];

/** BENCHMARKS.md: the command, the machine, every figure beside its goal, then how each was measured. */
export function renderReport(result: BenchmarkResult, machine: Machine, command: string, when: Date): string {
  const { size, botProcess: p } = result;
  const lines: string[] = [
    '# Benchmarks',
    '',
    `Written by \`${command}\` on ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${seconds(result.realMs)}; run it again to regenerate this file.`,
    'Everything runs on this machine against the bundled simulators (ECS, CloudWatch, health URLs, PagerDuty, Slack) over real HTTP,',
    'through the real AWS SDK, Slack client and Bolt receiver. Rollout times are simulated on a clock that runs faster than real time',
    '(speeds below); latencies (items 1 and 2) are real milliseconds.',
    '',
    '## Machine',
    '',
    `- ${machine.nproc} CPUs (\`nproc\`), ${machine.cpu}`,
    `- ${round(machine.memoryGiB)} GiB memory, ${machine.os}`,
    `- Node ${machine.node}`,
    `- Load average when the run started: ${machine.loadAtStart.map((l) => l.toFixed(2)).join(', ')} (other work on the machine inflates latencies and start-up)`,
    '',
    '## Figures',
    '',
    '| # | figure | value | goal | |',
    '| --- | --- | --- | --- | --- |',
    ...result.figures.map((f) => `| ${f.item} | ${f.label}${f.note ? ` (${f.note})` : ''} | ${fmt(f.value, f.unit)} | ${f.goal?.text ?? ''} | ${verdict(f)} |`),
    '',
    ...(result.violations.length > 0 ? ['**The simulators refused requests during the run:**', '', ...result.violations.map((v) => `- ${v}`), ''] : []),
    '## How each figure was measured',
    '',
    `**1. Ack latency.** The bot runs alone in a child process (\`scripts/bench/bot-process.ts\`: the same \`startBot\` as \`src/main.ts\`,`,
    'through tsx), the simulators in the benchmark process, and the load generator (`scripts/bench/ack-load.ts`) in a third, so',
    'that neither the simulators nor the client delay reading an answer. Requests are signed beforehand, as Slack would send',
    `them, and posted at once over kept-alive connections: ${size.ack.rounds} bursts of ${size.ack.concurrency} \`/rollback production svc-01 --dry-run\`, each burst once the`,
    'previous one has been answered, after a warm-up (10 one at a time, one uncounted burst). Each dry run plans for real (ECS calls)',
    'behind its ack, so every ack but the first competes with that work.',
    `p50 ${fmt(percentile(p.ackMs, 50), 'ms')}, p90 ${fmt(percentile(p.ackMs, 90), 'ms')}, p99 ${fmt(percentile(p.ackMs, 99), 'ms')}, max ${fmt(Math.max(...p.ackMs), 'ms')} over ${p.ackMs.length} commands.`,
    '',
    `**2. Click → UpdateService.** Same process. ${size.clicks} protected rollbacks of one service each, one after another: the confirm`,
    'click is timed from just before it is sent to the moment the simulated ECS receives that service\'s `UpdateService`.',
    `Samples (ms): ${p.clickToUpdateMs.map((ms) => round(ms)).join(', ')}.`,
    '',
    `**3. \`all\` against the runbook.** \`/rollback production all\`, confirmed by alice and approved by carol, with services whose`,
    'simulated rollouts take 60 s to 150 s (spread evenly), default settings (5 s poll, concurrency 10). Wall time is from the approval',
    'click to the engine reporting the last service stable; the verification window that follows is not counted. The runbook is a',
    'script in the same process on fresh simulators: `UpdateService`, then `DescribeServices` every 5 s (as often as the bot) until',
    'stable, one service after another, with no time for looking up revisions or typing.',
    `Clock speed ${size.speeds.rollbacks}× for the bot, ${size.speeds.runbook}× for the runbook (each of its ~400 polls then adds 0.1–0.2`,
    'simulated seconds of HTTP round trip, less than the AWS CLI\'s own start-up per call).',
    '',
    '| services | slowest rollout | bot | ÷ slowest | runbook | ÷ slowest | bot ÷ runbook |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.parallel.map(
      ({ run, baseline }) =>
        `| ${run.services} | ${seconds(run.slowestStabilizeMs)} | ${seconds(run.wallMs)} | ${fmt(run.wallMs / run.slowestStabilizeMs, '×')} | ${seconds(baseline.wallMs)} | ${fmt(baseline.wallMs / baseline.slowestStabilizeMs, '×')} | ${fmt(run.wallMs / baseline.wallMs, '×')} |`,
    ),
    '',
    '**4. Noticing.** For every service of the three rollbacks (one service, and the two `all`): from the simulated ECS reaching',
    'stable (its `UpdateService` plus its rollout time) to the first `DescribeServices` of the bot that arrives after it (the bot',
    'looks), and to the engine\'s `service-done` event (the bot has read the answer and acted), at the default 5 s poll. Polls keep a',
    `fixed 5 s cadence; the second figure adds the poll's round trip, which the simulated clock scales ${size.speeds.rollbacks}× (a 5 ms answer shows as 0.1 s).`,
    ...[result.oneService, ...result.parallel.map((x) => x.run)].map(
      (run) => `- ${run.services} service${run.services === 1 ? '' : 's'}: polls ${run.pollDelaysMs.map((ms) => round(ms / 1000, 2)).join(', ')} s; done ${run.noticeDelaysMs.map((ms) => round(ms / 1000, 2)).join(', ')} s`,
    ),
    '',
    `**5. AWS and Slack calls.** \`/rollback staging all\` over N services whose rollouts take 20 minutes; the calls reaching the`,
    `simulators are counted over ${size.polling.minutes} simulated minutes of waiting (clock ${size.speeds.polling}×). A poll is a burst of calls less than a second apart.`,
    '',
    '| N | polls/min | DescribeServices/min | per poll | goal per poll | DescribeAlarms/min | all AWS calls/min | health URL checks/min |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...result.polling.map(
      (c) =>
        `| ${c.services} | ${fmt(c.polls / c.minutes)} | ${fmt(c.describeServicesPerMinute)} | ${fmt(c.describeServicesPerPoll)} | ${Math.ceil(c.services / 10)} | ${fmt(c.describeAlarmsPerMinute)} | ${fmt(c.awsCallsPerMinute)} | ${fmt(c.healthChecksPerMinute)} |`,
    ),
    '',
    'Slack calls per rollback count every Web API call and `response_url` post from the command to the last message, the',
    'verification window included. The peak rate counts `chat.postMessage`, `chat.update` and `chat.postEphemeral` per channel in',
    'any second of simulated time.',
    '',
    '| rollback | Slack calls | by method | peak per channel |',
    '| --- | --- | --- | --- |',
    ...[result.oneService, ...result.parallel.map((x) => x.run)].map(
      (run) =>
        `| ${run.command === 'all' ? `\`all\`, ${run.services} services` : 'one service'} | ${run.slack.calls} | ${Object.entries(run.slack.byMethod)
          .map(([m, n]) => `${m} ${n}`)
          .join(', ')} | ${run.slack.peakPerChannelPerSecond}/s |`,
    ),
    '',
    `**6. Memory and start-up.** Start-up is \`${size.startCommand.join(' ')}\` (built by \`npm run build\` first) as a process of its own,`,
    'from spawn to its `rollback-bot ready` log line, on a fresh SQLite store, pointed at the simulators. RSS is read from',
    '/proc: a second after ready, and once the process has sat idle long enough for V8 to give back the memory start-up used.',
    '',
    '| start | to ready | CPU time to ready | RSS 1 s later |',
    '| --- | --- | --- | --- |',
    ...result.startup.map((s, i) => `| ${i + 1} | ${fmt(s.readyMs, 'ms')} | ${fmt(s.readyCpuMs, 'ms')} | ${fmt(s.rssBytes / 1e6, 'MB')} |`),
    '',
    `Memory growth is measured in the bot process of items 1 and 2 (\`node --expose-gc --import tsx\`, so its RSS includes tsx):`,
    `${size.rollbacks.total} rollbacks of staging services in batches of 10, back and forth between two revisions, each to its end`,
    '(30 s rollouts, 30 s verification), with heap and RSS read after two full garbage collections.',
    '',
    '| when | heap used | RSS |',
    '| --- | --- | --- |',
    ...(
      [
        ['idle', p.memory.idle],
        [`after ${size.rollbacks.warm} rollbacks`, p.memory.warm],
        [`after ${size.rollbacks.total} rollbacks`, p.memory.after],
      ] as const
    ).map(([when, m]) => `| ${when} | ${fmt(m.heapUsed / 1e6, 'MB')} | ${fmt(m.rss / 1e6, 'MB')} |`),
    '',
    `${p.rollbacks.done} rollbacks finished, ${p.rollbacks.failed} of them failed.`,
    '',
  ];
  return lines.join('\n');
}
