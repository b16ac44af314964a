import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeSlack } from '../../test/fakes/slack/index.js';
import { ScaledClock } from '../../test/support/scaled-clock.js';
import type { BurstRequest, BurstResult } from './ack-load.js';
import { startChildBot } from './child-bot.js';
import { SlackUsers, USERS } from './slack-users.js';
import { startSimulators, type SimulatedEnvironment } from './world.js';

/** How much of each measurement to take. */
export interface ProcessSize {
  /** Slash commands sent at once, and how many times. */
  ackConcurrency: number;
  ackRounds: number;
  /** Confirm clicks timed, one protected service each. */
  clicks: number;
  /** Rollbacks in batches of up to 10 services, and after how many the warm memory figure is taken. */
  rollbacks: number;
  warmRollbacks: number;
  speed: number;
}

/** Latency and memory of the bot in a process of its own. */
export interface ProcessFigures {
  /** Real ms from sending a signed slash command to its HTTP answer, every command of every round. */
  ackMs: number[];
  /** Real ms from sending a confirm click to the fake ECS receiving that service's UpdateService. */
  clickToUpdateMs: number[];
  memory: { idle: NodeJS.MemoryUsage; warm: NodeJS.MemoryUsage; after: NodeJS.MemoryUsage };
  rollbacks: { done: number; failed: number };
  violations: string[];
}

const PRODUCTION = 'shieldai-production';
const STAGING = 'shieldai-staging';
const BATCH = 10;
const ACK_WARM_UP = 10;
const ACK_LOAD = fileURLToPath(new URL('./ack-load.ts', import.meta.url));

function environments(size: ProcessSize): Record<string, SimulatedEnvironment> {
  const services = (cluster: string, count: number, stabilizeSeconds: number) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => {
        const name = `svc-${String(i + 1).padStart(2, '0')}`;
        return [name, { ecsService: `${cluster}-${name}`, stabilizeSeconds, healthPath: `/${cluster}/${name}/health` }];
      }),
    );
  return {
    production: {
      cluster: PRODUCTION,
      protected: true,
      requesters: [USERS.alice.id, USERS.bob.id],
      approvers: [USERS.carol.id],
      tunables: { verifyMinutes: 0.5 },
      services: services(PRODUCTION, Math.max(1, size.clicks), 30),
    },
    staging: { cluster: STAGING, protected: false, tunables: { verifyMinutes: 0.5 }, services: services(STAGING, batchSize(size), 30) },
  };
}

/**
 * Starts the simulators here and the bot in a child process, then: `ackConcurrency` signed slash
 * commands at once, `ackRounds` times (dry runs, so the work behind each ack is real but changes
 * nothing); `clicks` confirmations, one at a time; `rollbacks` rollbacks of staging services, back
 * and forth between revisions 13 and 14, with the child's memory after a full GC when idle, after
 * `warmRollbacks` and after all of them.
 */
export async function measureBotProcess(size: ProcessSize): Promise<ProcessFigures> {
  const clock = new ScaledClock(size.speed);
  const simulators = await startSimulators({ clock, pagerduty: true, environments: environments(size) });
  const { slack, ecs } = simulators;
  const bot = await startChildBot(simulators).catch(async (err: unknown) => {
    await simulators.stop();
    throw err;
  });
  try {
    const users = new SlackUsers(slack, bot.botUrl, clock);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idle = await bot.memory();

    const ackMs = await measureAcks(bot.botUrl, slack, size);

    const clickToUpdateMs: number[] = [];
    for (let i = 1; i <= size.clicks; i++) {
      const ecsService = `${PRODUCTION}-svc-${String(i).padStart(2, '0')}`;
      await users.command(USERS.alice, `production svc-${String(i).padStart(2, '0')} timing the click`);
      const prompt = await users.nextPrompt('rollback_confirm');
      const clickedAt = clock.now();
      await users.click(USERS.alice, prompt, 'rollback_confirm');
      const update = await until(() => ecs.callsTo('UpdateService').find((c) => (c.body as { service?: string }).service === ecsService), 10_000, `no UpdateService for ${ecsService}`);
      clickToUpdateMs.push(clock.toRealMs(update.at - clickedAt));
    }
    await until(() => finishedIn(slack, 'production') >= size.clicks, clock.toRealMs(30 * 60_000), 'the timed rollbacks never finished');

    let warm = idle;
    for (let done = 0, batch = 0; done < size.rollbacks; batch++) {
      const count = Math.min(batchSize(size), size.rollbacks - done);
      const revision = batch % 2 === 0 ? 13 : 14;
      await Promise.all(Array.from({ length: count }, (_, i) => users.command(USERS.bob, `staging svc-${String(i + 1).padStart(2, '0')} to ${revision}`)));
      done += count;
      await until(() => finishedIn(slack, 'staging') >= done, clock.toRealMs(30 * 60_000), `rollback batch ${batch + 1} never finished`);
      if (done <= size.warmRollbacks) warm = await bot.memory();
    }
    await clock.sleep(10_000); // the last announcements leave the queue
    const after = await bot.memory();
    const finished = slack.callsTo('chat.postMessage').filter((c) => isEnd(c.params, 'staging'));
    return {
      ackMs,
      clickToUpdateMs,
      memory: { idle, warm, after },
      rollbacks: { done: finished.length, failed: finished.filter((c) => String((c.params as { text?: string }).text).startsWith('ROLLBACK FAILED')).length },
      violations: simulators.violations(),
    };
  } finally {
    await bot.stop();
    await simulators.stop();
  }
}

/**
 * Dry runs from alice, sent by ack-load.ts from a process of its own: `ACK_WARM_UP` one at a time (JIT),
 * then rounds of `ackConcurrency` at once; the first round opens the connections and is not counted. Each
 * round starts once every dry run before it has been answered, so each is a burst of its own.
 */
async function measureAcks(botUrl: string, slack: FakeSlack, size: ProcessSize): Promise<number[]> {
  const load = fork(ACK_LOAD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const command = { text: 'production svc-01 --dry-run checking the ack', userId: USERS.alice.id, userName: USERS.alice.name, channelId: 'C0OPS', responseUrl: slack.responseUrl('ack') };
  let sent = 0;
  const answered = () =>
    until(() => slack.callsTo('chat.postEphemeral').length >= sent, 60_000, `only ${slack.callsTo('chat.postEphemeral').length} of ${sent} dry runs were answered`);
  const burst = async (count: number) => {
    await answered();
    sent += count;
    const result = await new Promise<BurstResult>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code})`));
      load.once('exit', onExit);
      load.once('message', (message: BurstResult) => {
        load.off('exit', onExit);
        resolve(message);
      });
      load.send({ url: botUrl, count, command } satisfies BurstRequest);
    });
    if ('error' in result) throw new Error(`a burst of slash commands failed: ${result.error}`);
    const refused = result.statuses.find((status) => status !== 200);
    if (refused !== undefined) throw new Error(`a slash command got HTTP ${refused}`);
    return result.ms;
  };
  try {
    for (let i = 0; i < ACK_WARM_UP; i++) await burst(1);
    await burst(size.ackConcurrency);
    const ackMs: number[] = [];
    for (let round = 0; round < size.ackRounds; round++) ackMs.push(...(await burst(size.ackConcurrency)));
    await answered();
    return ackMs;
  } finally {
    load.disconnect();
  }
}

/** Up to 10 services at once, fewer when the warm figure comes after fewer rollbacks. */
function batchSize(size: ProcessSize): number {
  return Math.max(1, Math.min(BATCH, size.warmRollbacks || size.rollbacks));
}

function isEnd(params: Record<string, unknown>, environment: string): boolean {
  const text = String(params['text'] ?? '');
  return /^ROLLBACK (COMPLETE|FAILED)/.test(text) && text.includes(` in ${environment} after `) && params['thread_ts'] !== undefined;
}

function finishedIn(slack: FakeSlack, environment: string): number {
  return slack.callsTo('chat.postMessage').filter((c) => isEnd(c.params, environment)).length;
}

/** Polls `probe` every few real milliseconds until it returns something truthy. */
async function until<T>(probe: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found) return found;
    if (performance.now() > deadline) throw new Error(`${what} (after ${Math.round(timeoutMs)} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
