import type { RollbackEvent } from '../../src/rollbacks/rollback-events.js';
import { ScaledClock } from '../../test/support/scaled-clock.js';
import { runRunbook } from './runbook-baseline.js';
import { slackTraffic, type SlackTraffic } from './slack-traffic.js';
import { SlackUsers, USERS } from './slack-users.js';
import { startSimulators, startWorld, type SimulatedEnvironment, type World } from './world.js';

/** What one protected rollback through Slack showed, on the simulated clock. */
export interface RollbackRun {
  services: number;
  /** `all` (confirm, then a second person's approval) or one service (confirm only). */
  command: 'all' | 'one';
  slowestStabilizeMs: number;
  /** From the last click (confirm or approve) to the engine reporting the last service stable. */
  wallMs: number;
  /** Per service: from the simulator reaching stable to the engine's `service-done`. */
  noticeDelaysMs: number[];
  /** Per service: from the simulator reaching stable to the first DescribeServices that could see it. */
  pollDelaysMs: number[];
  outcome: string;
  slack: SlackTraffic;
  violations: string[];
}

/** The runbook's time for the same services, one after another. */
export interface BaselineRun {
  services: number;
  slowestStabilizeMs: number;
  wallMs: number;
}

/** How the simulated rollouts go: seconds to stable, fastest to slowest, and the verification window (default: the product's). */
export interface Rollouts {
  fastest: number;
  slowest: number;
  verifyMinutes?: number;
}

/** Rollouts of 60 s to 150 s, realistic for small services, and the default verification window. */
export const REALISTIC_ROLLOUTS: Rollouts = { fastest: 60, slowest: 150 };

const CLUSTER = 'shieldai-production';

/** Rollout times spread evenly from the fastest to the slowest; a single service gets the slowest. */
export function stabilizeTimes(count: number, rollouts: Rollouts): number[] {
  if (count === 1) return [rollouts.slowest];
  return Array.from({ length: count }, (_, i) => Math.round(rollouts.fastest + ((rollouts.slowest - rollouts.fastest) * i) / (count - 1)));
}

/** A protected production environment of `count` services, each with a health URL, the first with an alarm, default tunables. */
export function productionEnvironment(count: number, rollouts: Rollouts): SimulatedEnvironment {
  const times = stabilizeTimes(count, rollouts);
  const services: SimulatedEnvironment['services'] = {};
  times.forEach((stabilizeSeconds, i) => {
    const name = `svc-${String(i + 1).padStart(2, '0')}`;
    services[name] = {
      ecsService: `${CLUSTER}-${name}`,
      stabilizeSeconds,
      desiredCount: 2 + (i % 3),
      healthPath: `/${name}/health`,
      ...(i === 0 ? { alarms: [`${CLUSTER}-alb-5xx`] } : {}),
    };
  });
  return {
    cluster: CLUSTER,
    protected: true,
    requesters: [USERS.alice.id, USERS.bob.id],
    approvers: [USERS.carol.id],
    ...(rollouts.verifyMinutes === undefined ? {} : { tunables: { verifyMinutes: rollouts.verifyMinutes } }),
    services,
  };
}

/**
 * `/rollback production all` (or one service) with `count` services, clicked through by alice (and
 * carol), carried to its end, verification window included; default settings unless `rollouts` says.
 */
export async function measureRollback(count: number, command: 'all' | 'one', speed: number, rollouts: Rollouts): Promise<RollbackRun> {
  const clock = new ScaledClock(speed);
  const environment = productionEnvironment(count, rollouts);
  const world = await startWorld({ clock, pagerduty: true, environments: { production: environment } });
  const done = new Map<string, number>();
  let outcome = 'unfinished';
  world.bot.events.subscribe((event: RollbackEvent) => {
    if (event.type === 'service-done') done.set(event.service.service, clock.now());
    if (event.type === 'finished') outcome = event.outcome;
  });
  try {
    const users = new SlackUsers(world.slack, world.botUrl, clock);
    const first = Object.keys(environment.services)[0]!;
    await users.command(USERS.alice, command === 'all' ? 'production all bench' : `production ${first} bench`);
    const prompt = await users.nextPrompt('rollback_confirm');
    let clickedAt = clock.now();
    await users.click(USERS.alice, prompt, 'rollback_confirm');
    if (command === 'all') {
      const approval = await users.nextPrompt('rollback_approve');
      clickedAt = clock.now();
      await users.click(USERS.carol, approval, 'rollback_approve');
    }
    await untilFinished(world, clock.toRealMs(30 * 60_000));
    const names = command === 'all' ? Object.keys(environment.services) : [first];
    const stabilizeMs = names.map((n) => environment.services[n]!.stabilizeSeconds * 1000);
    const noticeDelaysMs: number[] = [];
    const pollDelaysMs: number[] = [];
    for (const [i, name] of names.entries()) {
      const ecsService = environment.services[name]!.ecsService;
      const update = world.ecs.callsTo('UpdateService').find((c) => (c.body as { service?: string }).service === ecsService);
      const noticed = done.get(name);
      if (!update || noticed === undefined) throw new Error(`${name} was never rolled back and watched to its end`);
      const stableAt = update.at + stabilizeMs[i]!;
      noticeDelaysMs.push(noticed - stableAt);
      const poll = world.ecs.callsTo('DescribeServices').find((c) => c.at >= stableAt && ((c.body as { services?: string[] }).services ?? []).includes(ecsService));
      if (poll) pollDelaysMs.push(poll.at - stableAt);
    }
    return {
      services: names.length,
      command,
      slowestStabilizeMs: Math.max(...stabilizeMs),
      wallMs: Math.max(...done.values()) - clickedAt,
      noticeDelaysMs,
      pollDelaysMs,
      outcome,
      slack: slackTraffic(world.slack.calls, clock),
      violations: world.violations(),
    };
  } catch (err) {
    process.stderr.write(world.logs.slice(-20).join(''));
    throw err;
  } finally {
    await world.stop();
  }
}

/** The runbook script over the same `count` services, on fresh simulators, polling as often as the bot does. */
export async function measureRunbook(count: number, speed: number, rollouts: Rollouts): Promise<BaselineRun> {
  const clock = new ScaledClock(speed);
  const environment = productionEnvironment(count, rollouts);
  const simulators = await startSimulators({ clock, environments: { production: environment } });
  try {
    const steps = Object.values(environment.services).map((s) => ({ cluster: CLUSTER, ecsService: s.ecsService, taskDefinition: `${s.ecsService}:13` }));
    const result = await runRunbook(simulators, steps, 5_000);
    return { services: count, slowestStabilizeMs: Math.max(...stabilizeTimes(count, rollouts)) * 1000, wallMs: result.wallMs };
  } finally {
    await simulators.stop();
  }
}

/** Resolves when the runner has nothing in flight and every queued Slack message is sent. */
async function untilFinished(world: World, timeoutMs: number): Promise<void> {
  await world.slack.waitFor((c) => c.method === 'chat.postMessage' && /ROLLBACK (COMPLETE|FAILED)/.test(String((c.params as { text?: string }).text)), timeoutMs);
  await world.bot.runner.idle();
  await world.bot.settled();
}
