import { expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import type { DeploymentsPort, ServiceSnapshot } from '../../src/ports/deployments.js';
import { nextTick, ServiceWatcher } from '../../src/rollbacks/service-watcher.js';
import { FakeClock } from '../support/fake-clock.js';

const TARGET = 'arn:aws:ecs:us-east-1:123456789012:task-definition/shieldai-production-api:13';

function snapshot(running: number): ServiceSnapshot {
  const done = running === 2;
  return {
    serviceName: 'shieldai-production-api',
    serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/shieldai-production/shieldai-production-api',
    status: 'ACTIVE',
    taskDefinitionArn: TARGET,
    desiredCount: 2,
    runningCount: running,
    pendingCount: 2 - running,
    deployments: [
      { id: 'ecs-svc/1', status: 'PRIMARY', taskDefinitionArn: TARGET, desiredCount: 2, runningCount: running, pendingCount: 2 - running, failedTasks: 0, rolloutState: done ? 'COMPLETED' : 'IN_PROGRESS' },
    ],
    events: [],
  };
}

it('polls on a fixed cadence, however long each DescribeServices takes to answer', async () => {
  const clock = new FakeClock();
  clock.autoAdvance();
  const start = clock.now();
  const polledAt: number[] = [];
  const deployments = {
    describeServices: async () => {
      polledAt.push(clock.now() - start);
      clock.advance(1_200); // a slow answer
      return { services: [snapshot(polledAt.length >= 4 ? 2 : 1)], missing: [] };
    },
  } as unknown as DeploymentsPort;
  const watcher = new ServiceWatcher(
    deployments,
    clock,
    { region: 'us-east-1', cluster: 'shieldai-production', pollMs: 5_000, timeoutMs: 15 * 60_000 },
    () => undefined,
    createLogger('silent', []),
    new AbortController().signal,
  );
  try {
    expect(await watcher.watch('api', 'shieldai-production-api', TARGET, start)).toEqual({ state: 'succeeded' });
    expect(polledAt).toEqual([5_000, 10_000, 15_000, 20_000]);
  } finally {
    clock.stopAutoAdvance();
  }
});

it('skips the ticks a poll slower than the interval missed instead of polling back to back', () => {
  expect(nextTick(0, 1_200, 5_000)).toBe(5_000);
  expect(nextTick(0, 5_000, 5_000)).toBe(10_000);
  expect(nextTick(0, 12_000, 5_000)).toBe(15_000);
});
