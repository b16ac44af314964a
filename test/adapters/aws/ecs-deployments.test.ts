import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEcsDeployments } from '../../../src/adapters/aws/ecs-deployments.js';
import { DeploymentsError, type DeploymentsPort } from '../../../src/ports/deployments.js';
import { FakeClock } from '../../support/fake-clock.js';
import { rejectionOf } from '../../support/rejection.js';
import { ecsClientFor } from '../../fakes/ecs/ecs-test-client.js';
import { FakeEcs } from '../../fakes/ecs/fake-ecs-server.js';

const ACCOUNT = '123456789012';
const TD = (family: string, revision: number, region = 'us-east-1') => `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${family}:${revision}`;
const WEB = { region: 'us-east-1', cluster: 'prod', service: 'web' };

describe('createEcsDeployments against the fake ECS', () => {
  let clock: FakeClock;
  let fake: FakeEcs;
  let clients: ECSClient[];
  let ecs: DeploymentsPort;

  const clientFor = (region: string) => {
    const client = ecsClientFor(fake.url, { region });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    clock = new FakeClock();
    fake = new FakeEcs({ clock });
    await fake.start();
    clients = [];
    ecs = createEcsDeployments(clientFor);
  });

  afterEach(async () => {
    for (const client of clients) client.destroy();
    await fake.stop();
    expect(fake.violations).toEqual([]);
  });

  const failure = (promise: Promise<unknown>) => rejectionOf(promise, DeploymentsError);

  describe('describeServices', () => {
    it('splits 25 names into 3 concurrent calls of at most 10, and reports the missing ones', async () => {
      const names = Array.from({ length: 25 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
      for (const service of names.slice(0, 23)) fake.addService({ cluster: 'prod', service, deployments: [`${service}:1`] });
      let inFlight = 0;
      let most = 0;
      const port = createEcsDeployments((region) => {
        const client = clientFor(region);
        client.middlewareStack.add(
          (next) => async (args) => {
            most = Math.max(most, ++inFlight);
            try {
              return await next(args);
            } finally {
              inFlight--;
            }
          },
          { step: 'initialize' },
        );
        return client;
      });

      const { services, missing } = await port.describeServices('us-east-1', 'prod', names);

      expect(fake.callsTo('DescribeServices').map((r) => (r.body as { services: string[] }).services.length)).toEqual([10, 10, 5]);
      expect(most).toBe(3);
      expect(services.map((s) => s.serviceName)).toEqual(names.slice(0, 23));
      expect(missing).toEqual([
        { service: 'svc-23', reason: 'MISSING' },
        { service: 'svc-24', reason: 'MISSING' },
      ]);
    });

    it('follows a rollout as the fake clock advances', async () => {
      fake.addService({ cluster: 'prod', service: 'web', desiredCount: 4, deployments: ['web:12', 'web:13'] });
      fake.registerTaskDefinition({ family: 'web', containerDefinitions: [{ name: 'app', image: 'web:1.14.0' }] });
      const started = await ecs.updateService(WEB, TD('web', 14));
      expect(started.deployments.map((d) => [d.status, d.runningCount, d.pendingCount, d.rolloutState])).toEqual([
        ['PRIMARY', 0, 4, 'IN_PROGRESS'],
        ['ACTIVE', 4, 0, 'COMPLETED'],
      ]);

      const snapshot = async () => (await ecs.describeServices('us-east-1', 'prod', ['web'])).services[0]!;
      clock.advance(45_000);
      const later = await snapshot();
      expect(later.deployments.map((d) => [d.status, d.runningCount, d.pendingCount, d.rolloutState])).toEqual([
        ['PRIMARY', 3, 1, 'IN_PROGRESS'],
        ['ACTIVE', 1, 0, 'COMPLETED'],
      ]);
      expect(later.deployments[0]!.updatedAt).toEqual(new Date(clock.now()));

      clock.advance(15_000);
      const done = await snapshot();
      expect(done).toMatchObject({ taskDefinitionArn: TD('web', 14), runningCount: 4, pendingCount: 0, circuitBreaker: { enabled: true, rollback: true } });
      expect(done.deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', rolloutState: 'COMPLETED', rolloutStateReason: expect.stringMatching(/completed\.$/) })]);
      expect(done.events.map((e) => e.message)[0]).toBe('(service web) has reached a steady state.');
      expect(done.events.length).toBeLessThanOrEqual(5);
    });

    it('sees the circuit breaker fail a deployment and ECS roll it back', async () => {
      fake.addService({ cluster: 'prod', service: 'web', desiredCount: 4, deployments: ['web:12', 'web:13'] });
      fake.registerTaskDefinition({ family: 'web', containerDefinitions: [{ name: 'app', image: 'web:broken' }] });
      fake.setBehaviour('prod', 'web', { failTasks: true }, { taskDefinition: 'web:14' });
      await ecs.updateService(WEB, TD('web', 14));
      clock.advance(3 * 15_000);

      const { services } = await ecs.describeServices('us-east-1', 'prod', ['web']);
      expect(services[0]!.deployments.map((d) => [d.taskDefinitionArn, d.rolloutState, d.failedTasks])).toEqual([
        [TD('web', 13), 'IN_PROGRESS', 0],
        [TD('web', 14), 'FAILED', 3],
        [TD('web', 13), 'COMPLETED', 0],
      ]);
      expect(services[0]!.deployments[1]!.rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed to start.');
      const [newest] = (await ecs.listServiceDeployments(WEB, 1))!;
      expect(newest).toMatchObject({
        status: 'ROLLBACK_IN_PROGRESS',
        sourceTaskDefinitionArns: [TD('web', 13)],
        targetTaskDefinitionArn: TD('web', 14),
        circuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
      });

      clock.advance(60_000);
      expect((await ecs.listServiceDeployments(WEB, 1))![0]!.status).toBe('ROLLBACK_SUCCESSFUL');
    });
  });

  describe('stopServiceDeployment', () => {
    it('asks ECS to roll back, which it does over time; stopping again is a conflict', async () => {
      const { serviceDeploymentArns } = fake.addService({
        cluster: 'prod',
        service: 'web',
        deployments: ['web:12', 'web:13', { taskDefinition: 'web:14', inProgress: { behaviour: { neverStabilize: true } } }],
      });
      const current = serviceDeploymentArns.at(-1)!;
      expect((await ecs.describeServices('us-east-1', 'prod', ['web'])).services[0]!.currentServiceDeploymentArn).toBe(current);

      await ecs.stopServiceDeployment('us-east-1', current);

      expect(fake.callsTo('StopServiceDeployment').map((r) => r.body)).toEqual([{ serviceDeploymentArn: current, stopType: 'ROLLBACK' }]);
      expect((await ecs.listServiceDeployments(WEB, 1))![0]!.status).toBe('ROLLBACK_REQUESTED');
      clock.advance(5_000 + 60_000);
      const [newest] = (await ecs.listServiceDeployments(WEB, 1))!;
      expect(newest).toMatchObject({ serviceDeploymentArn: current, status: 'ROLLBACK_SUCCESSFUL', finishedAt: new Date(clock.now()) });
      expect((await ecs.describeServices('us-east-1', 'prod', ['web'])).services[0]!.taskDefinitionArn).toBe(TD('web', 13));

      const again = await failure(ecs.stopServiceDeployment('us-east-1', current));
      expect(again).toMatchObject({ code: 'conflict', operation: 'StopServiceDeployment' });
      const unknown = await failure(ecs.stopServiceDeployment('us-east-1', `${current}0`));
      expect(unknown.code).toBe('not_found');
    });
  });

  describe('listServiceDeployments', () => {
    it('returns the history newest first with service revisions resolved to task definitions', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:12', 'web:13', 'web:14'] });
      const history = await ecs.listServiceDeployments(WEB, 10);
      expect(history!.map((r) => [r.status, r.sourceTaskDefinitionArns, r.targetTaskDefinitionArn])).toEqual([
        ['SUCCESSFUL', [TD('web', 13)], TD('web', 14)],
        ['SUCCESSFUL', [TD('web', 12)], TD('web', 13)],
        ['SUCCESSFUL', [], TD('web', 12)],
      ]);
      expect(history![0]).toMatchObject({ createdAt: new Date(clock.now() - 86_400_000), circuitBreaker: { status: 'MONITORING_COMPLETE' } });
    });

    it('pages and batches within the API limits', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: Array.from({ length: 30 }, (_, i) => `web:${i + 1}`) });
      const history = await ecs.listServiceDeployments(WEB, 25);
      expect(history!.map((r) => r.targetTaskDefinitionArn)).toEqual(Array.from({ length: 25 }, (_, i) => TD('web', 30 - i)));
      expect(fake.callsTo('ListServiceDeployments').map((r) => (r.body as { maxResults: number }).maxResults)).toEqual([25]);
      expect(fake.callsTo('DescribeServiceDeployments').map((r) => (r.body as { serviceDeploymentArns: string[] }).serviceDeploymentArns.length)).toEqual([20, 5]);
      const revisionBatches = fake.callsTo('DescribeServiceRevisions').map((r) => (r.body as { serviceRevisionArns: string[] }).serviceRevisionArns.length);
      expect(revisionBatches.every((n) => n <= 20)).toBe(true);
      expect(revisionBatches.reduce((a, b) => a + b)).toBe(26);
    });

    it('returns null when the endpoint does not have ListServiceDeployments', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:12', 'web:13'] });
      fake.disableOperation('ListServiceDeployments');
      expect(await ecs.listServiceDeployments(WEB, 10)).toBeNull();
    });

    it('still fails loudly for a service that does not exist', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:1'] });
      const error = await failure(ecs.listServiceDeployments({ ...WEB, service: 'ghost' }, 10));
      expect(error).toMatchObject({ code: 'not_found', operation: 'ListServiceDeployments' });
    });
  });

  describe('task definitions', () => {
    const rich = {
      family: 'checkout',
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/checkout`,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '512',
      memory: '1024',
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      ephemeralStorage: { sizeInGiB: 30 },
      volumes: [{ name: 'scratch' }],
      containerDefinitions: [
        {
          name: 'app',
          image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/checkout:2.3.1`,
          essential: true,
          portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
          environment: [{ name: 'MODE', value: 'live' }],
          secrets: [{ name: 'DB_URL', valueFrom: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/checkout/db` }],
          mountPoints: [{ sourceVolume: 'scratch', containerPath: '/tmp/scratch' }],
          healthCheck: { command: ['CMD-SHELL', 'curl -f localhost:8080/health'], interval: 10, retries: 3 },
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/checkout' } },
          dockerLabels: { team: 'payments' },
        },
        { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29', essential: false, user: '1337' },
      ],
      tags: [{ key: 'team', value: 'payments' }],
    };

    it('registers a copy with only the named container images replaced', async () => {
      fake.registerTaskDefinition(rich);
      const newer = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/checkout:2.2.9`;

      const ref = await ecs.registerTaskDefinitionWithImages('us-east-1', 'checkout:1', { app: newer });

      expect(ref).toEqual({
        arn: TD('checkout', 2),
        family: 'checkout',
        revision: 2,
        images: [
          { container: 'app', image: newer, tag: '2.2.9' },
          { container: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29', tag: 'v1.29' },
        ],
      });
      const sdk = ecsClientFor(fake.url);
      const describe = async (taskDefinition: string) => sdk.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
      const [before, after] = [await describe('checkout:1'), await describe('checkout:2')];
      sdk.destroy();
      const comparable = (td: NonNullable<typeof before.taskDefinition>) => {
        const { taskDefinitionArn: _arn, revision: _revision, registeredAt: _at, containerDefinitions, ...rest } = td;
        return { ...rest, containerDefinitions: containerDefinitions!.map(({ image: _image, ...c }) => c) };
      };
      expect(comparable(after.taskDefinition!)).toEqual(comparable(before.taskDefinition!));
      expect(after.taskDefinition!.containerDefinitions!.map((c) => c.image)).toEqual([newer, rich.containerDefinitions[1]!.image]);
      expect(after.tags).toEqual(rich.tags);

      const sent = fake.callsTo('RegisterTaskDefinition')[0]!.body as Record<string, unknown>;
      for (const readOnly of ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy']) {
        expect(sent).not.toHaveProperty(readOnly);
      }
      expect(fake.callsTo('DescribeTaskDefinition').map((r) => r.body)).toContainEqual({ taskDefinition: 'checkout:1', include: ['TAGS'] });
    });

    it('refuses images for containers the task definition does not have, before registering anything', async () => {
      fake.registerTaskDefinition(rich);
      const error = await failure(ecs.registerTaskDefinitionWithImages('us-east-1', 'checkout:1', { worker: 'x:1' }));
      expect(error).toMatchObject({ code: 'invalid_request', operation: 'RegisterTaskDefinition' });
      expect(error.message).toContain('no container named worker');
      expect(fake.mutatingRequests()).toEqual([]);
    });

    it('describes a task definition, and reports an unknown one as not found', async () => {
      fake.registerTaskDefinition(rich);
      expect(await ecs.describeTaskDefinition('us-east-1', TD('checkout', 1))).toMatchObject({ family: 'checkout', revision: 1 });
      const error = await failure(ecs.describeTaskDefinition('us-east-1', 'checkout:7'));
      expect(error).toMatchObject({ code: 'not_found', operation: 'DescribeTaskDefinition' });
      expect(error.message).toContain('DescribeTaskDefinition');
    });

    it('lists ACTIVE revisions of one family newest first, across pages, up to the limit', async () => {
      for (let i = 0; i < 105; i++) fake.registerTaskDefinition({ family: 'web', containerDefinitions: [{ name: 'app', image: `web:${i}` }] });
      fake.registerTaskDefinition({ family: 'web-worker', containerDefinitions: [{ name: 'app', image: 'w' }] });
      const arns = await ecs.listTaskDefinitionArns('us-east-1', 'web', 103);
      expect(arns).toHaveLength(103);
      expect(arns.slice(0, 2)).toEqual([TD('web', 105), TD('web', 104)]);
      expect(fake.callsTo('ListTaskDefinitions').map((r) => r.body)).toEqual([
        { familyPrefix: 'web', status: 'ACTIVE', sort: 'DESC', maxResults: 100 },
        { familyPrefix: 'web', status: 'ACTIVE', sort: 'DESC', maxResults: 100, nextToken: expect.any(String) },
      ]);
    });
  });

  describe('updateService', () => {
    it('makes exactly one UpdateService call, forcing a new deployment', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:12', 'web:13'] });
      const snapshot = await ecs.updateService(WEB, TD('web', 12));
      expect(fake.mutatingRequests().map((r) => r.body)).toEqual([
        { cluster: 'prod', service: 'web', taskDefinition: TD('web', 12), forceNewDeployment: true },
      ]);
      expect(snapshot).toMatchObject({ serviceName: 'web', taskDefinitionArn: TD('web', 12) });
    });

    it('makes no mutating call while only reading', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:12', 'web:13'] });
      await ecs.describeServices('us-east-1', 'prod', ['web']);
      await ecs.listServiceDeployments(WEB, 5);
      await ecs.describeTaskDefinition('us-east-1', 'web:12');
      await ecs.listTaskDefinitionArns('us-east-1', 'web', 5);
      expect(fake.requests.length).toBeGreaterThan(0);
      expect(fake.mutatingRequests()).toEqual([]);
    });

    it('reports a task definition ECS does not have as an invalid request', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:12'] });
      const error = await failure(ecs.updateService(WEB, TD('web', 99)));
      expect(error).toMatchObject({ code: 'invalid_request', operation: 'UpdateService' });
      expect(error.message).toContain('TaskDefinition not found.');
    });
  });

  describe('errors', () => {
    beforeEach(() => fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:12', 'web:13'] }));

    it('rides out throttling within the retries', async () => {
      fake.failNext('DescribeServices', 'throttle', 2);
      expect((await ecs.describeServices('us-east-1', 'prod', ['web'])).services).toHaveLength(1);
    });

    it('reports throttling that outlasts the retries', async () => {
      fake.failNext('DescribeServices', 'throttle', 3);
      const error = await failure(ecs.describeServices('us-east-1', 'prod', ['web']));
      expect(error).toMatchObject({ code: 'throttled', operation: 'DescribeServices' });
      expect(error.message).toBe('ECS DescribeServices was throttled by AWS after 3 attempts (ThrottlingException: Rate exceeded).');
      expect(fake.callsTo('DescribeServices')).toHaveLength(3);
    });

    it('reports an unknown cluster as not found', async () => {
      const error = await failure(ecs.describeServices('us-east-1', 'staging', ['web']));
      expect(error).toMatchObject({ code: 'not_found', operation: 'DescribeServices' });
      expect(error.message).toContain('ClusterNotFoundException: Cluster not found.');
    });

    it('reports server errors that outlast the retries as unavailable', async () => {
      fake.failNext('UpdateService', 'server-error', 3);
      const error = await failure(ecs.updateService(WEB, TD('web', 12)));
      expect(error).toMatchObject({ code: 'unavailable', operation: 'UpdateService' });
      expect(error.message).toContain('after 3 attempts');
    });

    it('reports access denied, without any signing material', async () => {
      fake.failNext('DescribeServices', {
        status: 400,
        type: 'AccessDeniedException',
        message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/bot/s is not authorized to perform: ecs:DescribeServices (Credential=AKIDTEST/20261122/us-east-1/ecs/aws4_request)`,
      });
      fake.failNext('UpdateService', {
        status: 400,
        type: 'InvalidSignatureException',
        message: 'The request signature we calculated does not match. Canonical String: Credential=AKIDTEST/20261122, Signature=0123abcd',
      });
      const denied = await failure(ecs.describeServices('us-east-1', 'prod', ['web']));
      expect(denied.code).toBe('access_denied');
      expect(denied.message).toContain('is not authorized to perform: ecs:DescribeServices');
      const unsigned = await failure(ecs.updateService(WEB, TD('web', 12)));
      expect(unsigned).toMatchObject({ code: 'access_denied', message: expect.stringContaining('(InvalidSignatureException)') });
      for (const error of [denied, unsigned]) {
        expect(error.message).not.toMatch(/AKIDTEST|Signature=|Canonical/);
        expect(error.cause).toBeUndefined();
      }
    });

    it('reports an unreachable endpoint as unavailable', async () => {
      await fake.stop();
      const error = await failure(ecs.describeServices('us-east-1', 'prod', ['web']));
      expect(error).toMatchObject({ code: 'unavailable', operation: 'DescribeServices' });
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('gives up on a hung request after the client timeout, and the retry gets through', async () => {
      const impatient = createEcsDeployments((region) => {
        const client = ecsClientFor(fake.url, { region, requestHandler: { requestTimeout: 50, throwOnRequestTimeout: true } });
        clients.push(client);
        return client;
      });
      fake.failNext('DescribeServices', 'hang');
      expect((await impatient.describeServices('us-east-1', 'prod', ['web'])).services).toHaveLength(1);
      expect(fake.callsTo('DescribeServices')).toHaveLength(2);
    });
  });
});
