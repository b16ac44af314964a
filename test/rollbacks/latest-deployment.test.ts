import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEcsDeployments } from '../../src/adapters/aws/ecs-deployments.js';
import { findLatestDeployment } from '../../src/rollbacks/latest-deployment.js';
import { ecsClientFor } from '../fakes/ecs/ecs-test-client.js';
import { FakeEcs } from '../fakes/ecs/fake-ecs-server.js';
import { standardServices } from '../support/bot-harness.js';
import { sampleCatalog } from '../support/catalog.js';
import { FakeClock } from '../support/fake-clock.js';

const HOUR = 3_600_000;
const production = sampleCatalog().environments['production']!;
const api = production.services['api']!;

let clock: FakeClock;
let ecs: FakeEcs;
beforeEach(async () => {
  clock = new FakeClock();
  ecs = new FakeEcs({ clock });
  await ecs.start();
});
afterEach(async () => {
  expect(ecs.violations).toEqual([]);
  await ecs.stop();
});

function port() {
  const client = ecsClientFor(ecs.url);
  return createEcsDeployments(() => client);
}

describe('latest deployment', () => {
  it("reads ECS's deployment history: from which revision to which, and when it finished", async () => {
    ecs.addService(standardServices()[0]!);
    expect(await findLatestDeployment(port(), production, api)).toEqual({
      from: 'shieldai-production-api:13',
      to: 'shieldai-production-api:14',
      startedAt: new Date(clock.now() - 24 * HOUR),
      finishedAt: expect.any(Date),
    });
  });

  it('sees a deployment still rolling out as not finished', async () => {
    const [seed] = standardServices();
    ecs.addService({ ...seed!, deployments: [...seed!.deployments.slice(0, 2), { taskDefinition: 'shieldai-production-api:14', inProgress: { startedSecondsAgo: 20 } }] });
    expect(await findLatestDeployment(port(), production, api)).toMatchObject({ to: 'shieldai-production-api:14', finishedAt: null });
  });

  it('falls back to the deployments DescribeServices lists where the history API is missing', async () => {
    ecs.addService(standardServices()[0]!);
    ecs.disableOperation('ListServiceDeployments');
    const latest = await findLatestDeployment(port(), production, api);
    expect(latest).toMatchObject({ from: null, to: 'shieldai-production-api:14' });
    expect(latest!.finishedAt!.getTime()).toBeLessThan(clock.now());
    expect(ecs.callsTo('DescribeServices')).toHaveLength(1);
  });

  it('falls back the same way where the role may not read the history', async () => {
    ecs.addService(standardServices()[0]!);
    ecs.failNext('ListServiceDeployments', { status: 400, type: 'AccessDeniedException', message: 'not authorized' });
    expect(await findLatestDeployment(port(), production, api)).toMatchObject({ to: 'shieldai-production-api:14' });
  });
});
