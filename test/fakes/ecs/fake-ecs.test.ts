import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { specPath } from '../../specs/specs.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../support/fake-clock.js';
import { loadSmithyModel } from '../../support/smithy-model.js';
import { ecsClientFor } from './ecs-test-client.js';
import { FakeEcs } from './fake-ecs-server.js';

const specs = (file: string) => specPath('aws', file);
const TD = (family: string, revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;

describe('smithy-model request checker', () => {
  const ecs = loadSmithyModel(specs('ecs-2014-11-13.json'));

  it('accepts a well-formed request', () => {
    expect(ecs.checkInput('DescribeServices', { cluster: 'prod', services: ['web'], include: ['TAGS'] })).toEqual([]);
    expect(ecs.checkInput('ListServiceDeployments', { service: 'web', createdAt: { after: 1763780400.5 }, maxResults: 5 })).toEqual([]);
  });

  it('reports unknown members at any depth', () => {
    const problems = ecs.checkInput('UpdateService', {
      service: 'web',
      forceNewDeploymentt: true,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true, mode: 'fast' } },
      loadBalancers: [{ containerName: 'app', port: 80 }],
    });
    expect(problems).toEqual([
      'forceNewDeploymentt: unknown member of UpdateServiceRequest',
      'deploymentConfiguration.deploymentCircuitBreaker.mode: unknown member of DeploymentCircuitBreaker',
      'loadBalancers[0].port: unknown member of LoadBalancer',
    ]);
  });

  it('reports missing required members, at the top and nested', () => {
    expect(ecs.checkInput('DescribeServices', { cluster: 'prod' })).toEqual(['services: missing required member of DescribeServicesRequest']);
    expect(ecs.checkInput('UpdateService', { service: 'web', deploymentConfiguration: { deploymentCircuitBreaker: { enable: true } } })).toEqual([
      'deploymentConfiguration.deploymentCircuitBreaker.rollback: missing required member of DeploymentCircuitBreaker',
    ]);
  });

  it('reports wrong primitive types, enum values, list and map contents', () => {
    const problems = ecs.checkInput('RegisterTaskDefinition', {
      family: 7,
      containerDefinitions: [{ name: 'app', image: 'x', memory: 1.5, essential: 'yes', dockerLabels: { team: 3 }, command: 'run' }],
      networkMode: 'bridged',
    });
    expect(problems).toEqual([
      'family: expected string, got number 7',
      'containerDefinitions[0].memory: expected integer (whole number), got number 1.5',
      'containerDefinitions[0].essential: expected boolean, got string "yes"',
      'containerDefinitions[0].dockerLabels["team"]: expected string, got number 3',
      'containerDefinitions[0].command: expected list, got string "run"',
      'networkMode: expected one of bridge|host|awsvpc|none, got string "bridged"',
    ]);
    expect(ecs.checkInput('ListServiceDeployments', { service: 'web', createdAt: { before: 'yesterday' } })).toEqual([
      'createdAt.before: expected timestamp (epoch seconds or date string), got string "yesterday"',
    ]);
    expect(ecs.checkInput('DescribeServices', [])).toEqual(['(input): expected structure DescribeServicesRequest, got list']);
  });

  it('lists operations and knows which are read-only', () => {
    expect(ecs.operationNames()).toEqual(expect.arrayContaining(['DescribeServices', 'StopServiceDeployment', 'ListServiceDeployments']));
    expect(ecs.isReadOnly('DescribeServices')).toBe(true);
    expect(ecs.isReadOnly('UpdateService')).toBe(false);
    expect(ecs.checkInput('Nope', {})).toEqual(['unknown operation Nope']);
  });

  it('works for the CloudWatch and RDS models too', () => {
    const cloudwatch = loadSmithyModel(specs('cloudwatch-2010-08-01.json'));
    expect(cloudwatch.checkInput('GetMetricData', { StartTime: 1, EndTime: 2 })).toEqual([
      'MetricDataQueries: missing required member of GetMetricDataInput',
    ]);
    const rds = loadSmithyModel(specs('rds-2014-10-31.json'));
    expect(rds.checkInput('DescribeDBInstances', { DBInstanceIdentifier: 'db', Verbose: true })).toEqual([
      'Verbose: unknown member of DescribeDBInstancesMessage',
    ]);
  });
});

describe('FakeEcs', () => {
  let clock: FakeClock;
  let fake: FakeEcs;
  let ecs: ECSClient;

  beforeEach(async () => {
    clock = new FakeClock();
    fake = new FakeEcs({ clock });
    await fake.start();
    ecs = ecsClientFor(fake.url);
  });

  afterEach(async () => {
    ecs.destroy();
    await fake.stop();
    expect(fake.violations).toEqual([]);
  });

  const describeOne = async (service: string, cluster = 'prod'): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;

  describe('protocol', () => {
    const post = (target: string | undefined, body: unknown) =>
      fetch(fake.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', ...(target ? { 'x-amz-target': target } : {}) },
        body: JSON.stringify(body),
      });

    it('rejects a request that breaks the model with InvalidParameterException, and records the violation', async () => {
      const res = await post('AmazonEC2ContainerServiceV20141113.DescribeServices', { services: ['web'], verbose: true });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterException');
      expect(await res.json()).toEqual({ __type: 'InvalidParameterException', message: 'verbose: unknown member of DescribeServicesRequest' });
      expect(fake.violations.splice(0)).toEqual(['DescribeServices: verbose: unknown member of DescribeServicesRequest']);
    });

    it('answers an unknown operation as AWS does, and counts it as a violation', async () => {
      const res = await post('AmazonEC2ContainerServiceV20141113.DescribeEverything', {});
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ __type: 'com.amazon.coral.service#UnknownOperationException' });
      expect(fake.violations.splice(0)).toEqual(['AmazonEC2ContainerServiceV20141113.DescribeEverything: not an ECS operation']);
    });

    it('answers a disabled operation as unknown, without calling it a violation', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:1'] });
      fake.disableOperation('ListServiceDeployments');
      const error = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web' })).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });
      expect(fake.violations).toEqual([]);
    });

    it('records every request with its clock time and signed region', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:1'] });
      await describeOne('web');
      clock.advance(5_000);
      await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', forceNewDeployment: true }));
      expect(fake.requests.map((r) => [r.operation, r.at - clock.now(), r.region])).toEqual([
        ['DescribeServices', -5_000, 'us-east-1'],
        ['UpdateService', 0, 'us-east-1'],
      ]);
      expect(fake.callsTo('UpdateService')[0]!.body).toEqual({ cluster: 'prod', service: 'web', forceNewDeployment: true });
      expect(fake.mutatingRequests().map((r) => r.operation)).toEqual(['UpdateService']);
    });

    it('keeps regions apart, as separate ECS endpoints would', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:1'] });
      const europe = ecsClientFor(fake.url, { region: 'eu-west-1' });
      await expect(europe.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }))).rejects.toMatchObject({
        name: 'ClusterNotFoundException',
      });
      europe.destroy();
    });
  });

  describe('faults', () => {
    beforeEach(() => fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:1'] }));

    it('throttles the next N calls; the SDK retries through them', async () => {
      fake.failNext('DescribeServices', 'throttle', 2);
      const answer = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }));
      expect(answer.$metadata.attempts).toBe(3);
      fake.failNext('DescribeServices', 'throttle', 3);
      await expect(describeOne('web')).rejects.toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
      expect(fake.callsTo('DescribeServices')).toHaveLength(6);
    });

    it('answers 500 ServerException', async () => {
      fake.failNext('DescribeServices', 'server-error', 3);
      await expect(describeOne('web')).rejects.toMatchObject({ name: 'ServerException', $metadata: { httpStatusCode: 500, attempts: 3 } });
    });

    it('answers any error asked for', async () => {
      fake.failNext('UpdateService', { status: 400, type: 'AccessDeniedException', message: 'not authorized' });
      const once = ecsClientFor(fake.url, { maxAttempts: 1 });
      await expect(once.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web' }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: 'not authorized',
      });
      once.destroy();
    });

    it('hangs until the client gives up', async () => {
      fake.failNext('DescribeServices', 'hang');
      const abort = new AbortController();
      const pending = ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }), { abortSignal: abort.signal });
      await vi.waitFor(() => expect(fake.callsTo('DescribeServices')).toHaveLength(1), { interval: 1 });
      abort.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      expect((await describeOne('web')).serviceName).toBe('web');
    });
  });

  describe('DescribeServices', () => {
    it('takes at most 10 names, reports unknown ones as MISSING and unknown clusters as not found', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:1'] });
      const eleven = Array.from({ length: 11 }, (_, i) => `svc-${i}`);
      await expect(ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: eleven }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
      const answer = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web', 'ghost'] }));
      expect(answer.services!.map((s) => s.serviceName)).toEqual(['web']);
      expect(answer.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/ghost', reason: 'MISSING' }]);
      await expect(ecs.send(new DescribeServicesCommand({ cluster: 'staging', services: ['web'] }))).rejects.toMatchObject({
        name: 'ClusterNotFoundException',
      });
    });
  });

  describe('rollouts', () => {
    beforeEach(() => fake.addService({ cluster: 'prod', service: 'web', desiredCount: 4, deployments: ['web:12', 'web:13'] }));

    it('moves a new deployment along as the clock advances, draining the old one, then completes', async () => {
      fake.registerTaskDefinition({ family: 'web', containerDefinitions: [{ name: 'app', image: 'web:1.14.0' }] });
      const updated = await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: 'web:14' }));
      const counts = (s: Service) => s.deployments!.map((d) => [d.status, d.taskDefinition, d.runningCount, d.pendingCount, d.rolloutState]);
      expect(counts(updated.service!)).toEqual([
        ['PRIMARY', TD('web', 14), 0, 4, 'IN_PROGRESS'],
        ['ACTIVE', TD('web', 13), 4, 0, 'COMPLETED'],
      ]);

      clock.advance(30_000);
      const halfway = await describeOne('web');
      expect(counts(halfway)).toEqual([
        ['PRIMARY', TD('web', 14), 2, 2, 'IN_PROGRESS'],
        ['ACTIVE', TD('web', 13), 2, 0, 'COMPLETED'],
      ]);
      expect([halfway.runningCount, halfway.pendingCount]).toEqual([4, 2]);

      clock.advance(30_000);
      const done = await describeOne('web');
      expect(counts(done)).toEqual([['PRIMARY', TD('web', 14), 4, 0, 'COMPLETED']]);
      expect(done.taskDefinition).toBe(TD('web', 14));
      expect(done.events!.slice(0, 2).map((e) => e.message)).toEqual([
        '(service web) has reached a steady state.',
        `(service web) (deployment ${done.deployments![0]!.id}) deployment completed.`,
      ]);
      expect(fake.serviceDeployments('prod', 'web')[0]).toMatchObject({ status: 'SUCCESSFUL', finishedAt: clock.now() / 1000 });
    });

    it('trips the circuit breaker on failing tasks and rolls back by itself', async () => {
      fake.setBehaviour('prod', 'web', { failTasks: true, secondsPerTaskFailure: 10 }, { taskDefinition: 'web:12' });
      await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: 'web:12' }));
      clock.advance(20_000);
      expect((await describeOne('web')).deployments![0]).toMatchObject({ failedTasks: 2, rolloutState: 'IN_PROGRESS' });

      clock.advance(10_000); // threshold for 4 tasks is 3 failures
      const failed = await describeOne('web');
      expect(failed.deployments!.map((d) => [d.status, d.taskDefinition, d.rolloutState, d.rolloutStateReason])).toEqual([
        ['PRIMARY', TD('web', 13), 'IN_PROGRESS', `ECS deployment circuit breaker: rolling back to deploymentId ${failed.deployments![2]!.id}.`],
        ['ACTIVE', TD('web', 12), 'FAILED', 'ECS deployment circuit breaker: tasks failed to start.'],
        ['ACTIVE', TD('web', 13), 'COMPLETED', `ECS deployment ${failed.deployments![2]!.id} completed.`],
      ]);
      expect(fake.serviceDeployments('prod', 'web')[0]).toMatchObject({
        status: 'ROLLBACK_IN_PROGRESS',
        deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
        rollback: { reason: 'Circuit breaker threshold was exceeded.', startedAt: clock.now() / 1000 },
      });

      clock.advance(60_000);
      const back = await describeOne('web');
      expect(back.deployments!.map((d) => [d.taskDefinition, d.rolloutState])).toEqual([[TD('web', 13), 'COMPLETED']]);
      expect(fake.serviceDeployments('prod', 'web')[0]).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL' });
    });

    it('leaves a failed deployment in place when the breaker has no rollback, and stops its service deployment', async () => {
      fake.addService({
        cluster: 'prod',
        service: 'api',
        circuitBreaker: { enable: true, rollback: false },
        behaviour: { failTasks: true },
        deployments: ['api:1'],
      });
      fake.registerTaskDefinition({ family: 'api', containerDefinitions: [{ name: 'app', image: 'api:2' }] });
      await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', taskDefinition: 'api:2' }));
      clock.advance(3 * 15_000);
      const api = await describeOne('api');
      expect(api.deployments!.map((d) => [d.status, d.rolloutState, d.failedTasks])).toEqual([
        ['PRIMARY', 'FAILED', 3],
        ['ACTIVE', 'COMPLETED', 0],
      ]);
      expect(fake.serviceDeployments('prod', 'api')[0]).toMatchObject({ status: 'STOPPED', stoppedAt: clock.now() / 1000 });
    });

    it('never finishes a deployment told never to stabilize', async () => {
      fake.setBehaviour('prod', 'web', { neverStabilize: true });
      await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', forceNewDeployment: true }));
      clock.advance(3_600_000);
      expect((await describeOne('web')).deployments!.map((d) => [d.runningCount, d.pendingCount, d.rolloutState])).toEqual([
        [3, 1, 'IN_PROGRESS'],
        [1, 0, 'COMPLETED'],
      ]);
    });

    it('does not start a deployment when nothing changes', async () => {
      await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: 'web:13' }));
      expect((await describeOne('web')).deployments).toHaveLength(1);
      await expect(ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: 'web:99' }))).rejects.toMatchObject({
        name: 'ClientException',
      });
    });
  });

  describe('StopServiceDeployment', () => {
    it('rolls an in-progress deployment back to its source revision', async () => {
      const { serviceDeploymentArns } = fake.addService({
        cluster: 'prod',
        service: 'web',
        deployments: ['web:12', 'web:13', { taskDefinition: 'web:14', inProgress: { behaviour: { neverStabilize: true } } }],
      });
      const current = serviceDeploymentArns.at(-1)!;
      expect((await describeOne('web')).currentServiceDeployment).toBe(current);

      await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: current, stopType: 'ROLLBACK' }));
      const status = async () =>
        (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [current] }))).serviceDeployments![0]!.status;
      expect(await status()).toBe('ROLLBACK_REQUESTED');
      clock.advance(5_000);
      expect(await status()).toBe('ROLLBACK_IN_PROGRESS');
      expect((await describeOne('web')).taskDefinition).toBe(TD('web', 13));
      clock.advance(60_000);
      expect(await status()).toBe('ROLLBACK_SUCCESSFUL');

      await expect(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: current, stopType: 'ROLLBACK' }))).rejects.toMatchObject({
        name: 'ConflictException',
      });
      await expect(
        ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: `${current}x`, stopType: 'ROLLBACK' })),
      ).rejects.toMatchObject({ name: 'ServiceDeploymentNotFoundException' });
    });
  });

  describe('deployment history', () => {
    beforeEach(() =>
      fake.addService({
        cluster: 'prod',
        service: 'web',
        deployments: ['web:10', 'web:11', { taskDefinition: 'web:12', outcome: 'ROLLBACK_SUCCESSFUL' }, 'web:13', 'web:14'],
      }),
    );

    it('lists newest first, filters by status and pages', async () => {
      const all = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web' }));
      expect(all.serviceDeployments!.map((d) => d.status)).toEqual(['SUCCESSFUL', 'SUCCESSFUL', 'ROLLBACK_SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL']);
      const rolledBack = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web', status: ['ROLLBACK_SUCCESSFUL'] }));
      expect(rolledBack.serviceDeployments).toHaveLength(1);

      const first = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web', maxResults: 3 }));
      const second = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web', maxResults: 3, nextToken: first.nextToken }));
      expect([...first.serviceDeployments!, ...second.serviceDeployments!].map((d) => d.serviceDeploymentArn)).toEqual(
        all.serviceDeployments!.map((d) => d.serviceDeploymentArn),
      );
      expect(second.nextToken).toBeUndefined();
    });

    it('describes service deployments and resolves their revisions to task definitions', async () => {
      const [newest] = (await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web', maxResults: 1 }))).serviceDeployments!;
      const described = await ecs.send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [newest!.serviceDeploymentArn!, 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/nope'] }),
      );
      const deployment = described.serviceDeployments![0]!;
      expect(deployment).toMatchObject({ status: 'SUCCESSFUL', deploymentCircuitBreaker: { status: 'MONITORING_COMPLETE', threshold: 3 } });
      expect(described.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/nope', reason: 'MISSING' }]);
      const revisions = await ecs.send(
        new DescribeServiceRevisionsCommand({
          serviceRevisionArns: [deployment.targetServiceRevision!.arn!, ...deployment.sourceServiceRevisions!.map((r) => r.arn!)],
        }),
      );
      expect(revisions.serviceRevisions!.map((r) => r.taskDefinition)).toEqual([TD('web', 14), TD('web', 13)]);
      expect(revisions.serviceRevisions![0]!.containerImages).toEqual([
        { containerName: 'app', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.14.0' },
      ]);
    });

    it('takes at most 20 ARNs per describe call', async () => {
      const arns = Array.from({ length: 21 }, (_, i) => `arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/${i}`);
      await expect(ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: arns }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    });
  });

  describe('task definitions', () => {
    it('registers the next revision, with ECS defaults and tags, and describes it', async () => {
      fake.addService({ cluster: 'prod', service: 'web', deployments: ['web:12', 'web:13'] });
      const registered = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          containerDefinitions: [{ name: 'app', image: 'web:2.0.0' }],
          tags: [{ key: 'team', value: 'payments' }],
        }),
      );
      expect(registered.taskDefinition).toMatchObject({ revision: 14, status: 'ACTIVE', registeredAt: new Date(clock.now()) });
      const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web', include: ['TAGS'] }));
      expect(described.taskDefinition!.containerDefinitions![0]).toEqual({
        name: 'app',
        image: 'web:2.0.0',
        cpu: 0,
        portMappings: [],
        essential: true,
        environment: [],
        mountPoints: [],
        volumesFrom: [],
        systemControls: [],
      });
      expect(described.tags).toEqual([{ key: 'team', value: 'payments' }]);
      await expect(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:99' }))).rejects.toMatchObject({
        name: 'ClientException',
        message: 'Unable to describe task definition.',
      });
    });

    it('lists a family in either order, in pages', async () => {
      for (let i = 0; i < 5; i++) fake.registerTaskDefinition({ family: 'worker', containerDefinitions: [{ name: 'app', image: `w:${i}` }] });
      fake.registerTaskDefinition({ family: 'other', containerDefinitions: [{ name: 'app', image: 'o' }] });
      const desc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'worker', sort: 'DESC', maxResults: 3 }));
      expect(desc.taskDefinitionArns).toEqual([TD('worker', 5), TD('worker', 4), TD('worker', 3)]);
      const rest = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'worker', sort: 'DESC', maxResults: 3, nextToken: desc.nextToken }));
      expect(rest.taskDefinitionArns).toEqual([TD('worker', 2), TD('worker', 1)]);
      expect(rest.nextToken).toBeUndefined();
      const all = await ecs.send(new ListTaskDefinitionsCommand({}));
      expect(all.taskDefinitionArns).toEqual([TD('other', 1), ...[1, 2, 3, 4, 5].map((r) => TD('worker', r))]);
    });
  });
});
