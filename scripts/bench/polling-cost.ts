import { ScaledClock } from '../../test/support/scaled-clock.js';
import { bursts } from './stats.js';
import { SlackUsers, USERS } from './slack-users.js';
import { startWorld, type SimulatedEnvironment } from './world.js';

/** AWS and health-URL traffic while `services` services are being watched. */
export interface PollingCost {
  services: number;
  /** Simulated minutes the counts are taken over. */
  minutes: number;
  polls: number;
  describeServicesPerMinute: number;
  describeServicesPerPoll: number;
  describeAlarmsPerMinute: number;
  /** Every ECS and CloudWatch call in the window, per minute. */
  awsCallsPerMinute: number;
  healthChecksPerMinute: number;
}

const CLUSTER = 'shieldai-staging';

/**
 * `/rollback staging all` over `count` services whose rollouts take 20 simulated minutes, then counts
 * what reaches the fakes during `minutes` simulated minutes of waiting (default settings: a 5 s poll).
 */
export async function measurePollingCost(count: number, minutes: number, speed: number): Promise<PollingCost> {
  const clock = new ScaledClock(speed);
  const services: SimulatedEnvironment['services'] = {};
  for (let i = 1; i <= count; i++) {
    const name = `svc-${String(i).padStart(2, '0')}`;
    services[name] = { ecsService: `${CLUSTER}-${name}`, stabilizeSeconds: 20 * 60, healthPath: `/${name}/health`, alarms: [`${CLUSTER}-${name}-5xx`] };
  }
  const world = await startWorld({ clock, environments: { staging: { cluster: CLUSTER, protected: false, tunables: { timeoutMinutes: 30 }, services } } });
  try {
    const users = new SlackUsers(world.slack, world.botUrl, clock);
    await users.command(USERS.alice, 'staging all');
    const deadline = performance.now() + 30_000;
    while (world.ecs.callsTo('UpdateService').length < count) {
      if (performance.now() > deadline) throw new Error(`only ${world.ecs.callsTo('UpdateService').length} of ${count} services were rolled back`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // A poll or two to settle into the steady state, then the window.
    await clock.sleep(12_000);
    const from = clock.now();
    await clock.sleep(minutes * 60_000);
    const to = clock.now();
    const inWindow = <T extends { at: number }>(requests: readonly T[]) => requests.filter((r) => r.at >= from && r.at < to);
    const describes = inWindow(world.ecs.callsTo('DescribeServices'));
    const polls = bursts(
      describes.map((r) => r.at),
      1_000,
    ).length;
    const span = (to - from) / 60_000;
    return {
      services: count,
      minutes: span,
      polls,
      describeServicesPerMinute: describes.length / span,
      describeServicesPerPoll: polls > 0 ? describes.length / polls : Number.NaN,
      describeAlarmsPerMinute: inWindow(world.cloudwatch.callsTo('DescribeAlarms')).length / span,
      awsCallsPerMinute: (inWindow(world.ecs.requests).length + inWindow(world.cloudwatch.requests).length) / span,
      healthChecksPerMinute: inWindow(world.health.requests).length / span,
    };
  } finally {
    await world.stop();
  }
}
