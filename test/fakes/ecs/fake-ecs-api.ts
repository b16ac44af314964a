import { EcsApiError } from './fake-ecs-errors.js';
import { breakerThreshold } from './fake-ecs-rollout.js';
import type { FakeEcsState } from './fake-ecs-state.js';
import type { RegisterInput } from './fake-ecs-task-definitions.js';
import type { HistoryRecord, ServiceState } from './fake-ecs-types.js';

/** What an operation handler gets besides the request body. */
export interface RequestContext {
  state: FakeEcsState;
  /** The region the request was signed for. */
  region: string;
  now: number;
}

/** One ECS operation: a request body (already checked against the model) in, a response body out. */
export type OperationHandler = (ctx: RequestContext, body: Record<string, unknown>) => unknown;

type Page = { nextToken?: string; maxResults?: number };

const secs = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** The Service structure DescribeServices and UpdateService answer with. */
export function serviceJson(state: FakeEcsState, service: ServiceState, now: number): Record<string, unknown> {
  const counts = state.counts(service, now);
  const network = { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'], assignPublicIp: 'DISABLED' } };
  const deployments = service.deployments.map((d) => {
    const c = counts.get(d.id)!;
    return {
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinitionArn,
      desiredCount: d.desiredCount,
      pendingCount: c.pending,
      runningCount: c.running,
      failedTasks: c.failedTasks,
      createdAt: secs(d.createdAt),
      updatedAt: secs(Math.max(d.createdAt, c.changedAt)),
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      platformFamily: 'Linux',
      networkConfiguration: network,
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
    };
  });
  const revisions = new Map<string, { arn: string; requestedTaskCount: number; runningTaskCount: number; pendingTaskCount: number }>();
  for (const d of deployments) {
    const arn = service.deployments.find((e) => e.id === d.id)!.serviceRevisionArn;
    const r = revisions.get(arn) ?? { arn, requestedTaskCount: 0, runningTaskCount: 0, pendingTaskCount: 0 };
    r.requestedTaskCount += d.status === 'PRIMARY' ? d.desiredCount : 0;
    r.runningTaskCount += d.runningCount;
    r.pendingTaskCount += d.pendingCount;
    revisions.set(arn, r);
  }
  return {
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: service.clusterArn,
    loadBalancers: [],
    serviceRegistries: [],
    status: 'ACTIVE',
    desiredCount: service.desiredCount,
    runningCount: deployments.reduce((n, d) => n + d.runningCount, 0),
    pendingCount: deployments.reduce((n, d) => n + d.pendingCount, 0),
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    platformFamily: 'Linux',
    taskDefinition: service.deployments[0]?.taskDefinitionArn,
    deploymentConfiguration: {
      deploymentCircuitBreaker: service.circuitBreaker,
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    },
    deployments,
    roleArn: `arn:aws:iam::${state.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: service.events.map((e) => ({ id: e.id, createdAt: secs(e.createdAt), message: e.message })),
    createdAt: secs(service.createdAt),
    currentServiceDeployment: service.history.at(-1)?.arn,
    currentServiceRevisions: [...revisions.values()],
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: network,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    createdBy: `arn:aws:iam::${state.accountId}:role/deployer`,
    enableECSManagedTags: true,
    propagateTags: 'NONE',
    enableExecuteCommand: false,
    availabilityZoneRebalancing: 'ENABLED',
  };
}

/** The ServiceDeployment structure DescribeServiceDeployments answers with. */
export function serviceDeploymentJson(state: FakeEcsState, record: HistoryRecord, now: number): Record<string, unknown> {
  const service = state.findService(...splitKey(record.serviceKey))!;
  const counts = state.counts(service, now);
  const summary = (arn: string, requested: number) => {
    const live = service.deployments.filter((d) => d.serviceRevisionArn === arn).map((d) => counts.get(d.id)!);
    return {
      arn,
      requestedTaskCount: requested,
      runningTaskCount: live.reduce((n, c) => n + c.running, 0),
      pendingTaskCount: live.reduce((n, c) => n + c.pending, 0),
    };
  };
  const forward = service.deployments.find((d) => d.id === record.deploymentId);
  const failureCount = forward && !forward.settled ? counts.get(forward.id)!.failedTasks : record.failureCount;
  return {
    serviceDeploymentArn: record.arn,
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    createdAt: secs(record.createdAt),
    startedAt: secs(record.createdAt),
    finishedAt: secs(record.finishedAt),
    stoppedAt: secs(record.stoppedAt),
    updatedAt: secs(record.updatedAt),
    sourceServiceRevisions: record.sourceRevisionArns.map((arn) => summary(arn, 0)),
    targetServiceRevision: summary(record.targetRevisionArn, service.desiredCount),
    status: record.status,
    statusReason: record.statusReason,
    deploymentConfiguration: {
      deploymentCircuitBreaker: record.breaker,
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    },
    rollback: record.rollback && { ...record.rollback, startedAt: secs(record.rollback.startedAt) },
    deploymentCircuitBreaker: {
      status: record.breakerStatus,
      failureCount,
      threshold: breakerThreshold(forward?.desiredCount ?? service.desiredCount),
    },
  };
}

function splitKey(key: string): [string, string, string] {
  const [region, cluster, name] = key.split('/');
  return [region!, cluster!, name!];
}

function paginate<T>(items: T[], body: Page, defaultSize: number): { items: T[]; nextToken?: string } {
  const size = body.maxResults ?? defaultSize;
  if (size < 1 || size > 100) throw new EcsApiError('InvalidParameterException', 'maxResults must be between 1 and 100.');
  let offset = 0;
  if (body.nextToken !== undefined) {
    const decoded = /^o(\d+)$/.exec(Buffer.from(body.nextToken, 'base64url').toString());
    if (!decoded) throw new EcsApiError('InvalidParameterException', 'Invalid nextToken.');
    offset = Number(decoded[1]);
  }
  const end = offset + size;
  return { items: items.slice(offset, end), nextToken: end < items.length ? Buffer.from(`o${end}`).toString('base64url') : undefined };
}

function atMost(list: unknown[], limit: number, member: string): void {
  if (list.length === 0) throw new EcsApiError('InvalidParameterException', `${member} can not be empty.`);
  if (list.length > limit) throw new EcsApiError('InvalidParameterException', `${member} can have at most ${limit} items.`);
}

// Handlers cast the body to the operation's input shape: the server checked it against the model first.
/** The operations the fake implements, by name. */
export const OPERATIONS: Record<string, OperationHandler> = {
  DescribeServices({ state, region, now }, raw) {
    const body = raw as { cluster?: string; services: string[] };
    atMost(body.services, 10, 'services');
    const cluster = state.requireCluster(region, body.cluster);
    const services: unknown[] = [];
    const failures: unknown[] = [];
    for (const ref of body.services) {
      const service = state.findService(region, cluster, ref);
      if (service) services.push(serviceJson(state, service, now));
      else failures.push({ arn: state.serviceArn(region, cluster, ref.slice(ref.lastIndexOf('/') + 1)), reason: 'MISSING' });
    }
    return { services, failures };
  },

  UpdateService({ state, region, now }, raw) {
    const body = raw as {
      cluster?: string;
      service: string;
      taskDefinition?: string;
      forceNewDeployment?: boolean;
      desiredCount?: number;
    };
    const service = state.requireService(region, body.cluster, body.service);
    const td = body.taskDefinition === undefined ? undefined : state.taskDefinitions.resolve(region, body.taskDefinition);
    if (body.taskDefinition !== undefined && !td) throw new EcsApiError('ClientException', 'TaskDefinition not found.');
    if (td?.status === 'INACTIVE') throw new EcsApiError('ClientException', 'TaskDefinition is inactive.');
    if (body.desiredCount !== undefined) service.desiredCount = body.desiredCount;
    const current = service.deployments[0]?.taskDefinitionArn;
    const target = td?.arn ?? current;
    if (target && (target !== current || body.forceNewDeployment)) state.deploy(service, target, now);
    return { service: serviceJson(state, service, now) };
  },

  StopServiceDeployment({ state, now }, raw) {
    const body = raw as { serviceDeploymentArn: string; stopType?: string };
    if (body.stopType === 'ABORT') throw new EcsApiError('InvalidParameterException', 'The fake ECS only models stopType ROLLBACK.');
    const record = state.findRecord(body.serviceDeploymentArn);
    if (!record) throw new EcsApiError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
    state.requestRollback(record, now);
    return { serviceDeploymentArn: record.arn };
  },

  ListServiceDeployments({ state, region }, raw) {
    const body = raw as Page & { service: string; cluster?: string; status?: string[]; createdAt?: { before?: number; after?: number } };
    const service = state.requireService(region, body.cluster, body.service);
    const { before, after } = body.createdAt ?? {};
    const matching = [...service.history]
      .reverse()
      .filter((r) => body.status === undefined || body.status.includes(r.status))
      .filter((r) => (before === undefined || r.createdAt <= before * 1000) && (after === undefined || r.createdAt >= after * 1000));
    const page = paginate(matching, body, 20);
    const serviceDeployments = page.items.map((r) => ({
      serviceDeploymentArn: r.arn,
      serviceArn: service.arn,
      clusterArn: service.clusterArn,
      startedAt: secs(r.createdAt),
      createdAt: secs(r.createdAt),
      finishedAt: secs(r.finishedAt ?? r.stoppedAt),
      targetServiceRevisionArn: r.targetRevisionArn,
      status: r.status,
      statusReason: r.statusReason,
    }));
    return { serviceDeployments, nextToken: page.nextToken };
  },

  DescribeServiceDeployments({ state, now }, raw) {
    const body = raw as { serviceDeploymentArns: string[] };
    atMost(body.serviceDeploymentArns, 20, 'serviceDeploymentArns');
    const serviceDeployments: unknown[] = [];
    const failures: unknown[] = [];
    for (const arn of body.serviceDeploymentArns) {
      const record = state.findRecord(arn);
      if (record) serviceDeployments.push(serviceDeploymentJson(state, record, now));
      else failures.push({ arn, reason: 'MISSING' });
    }
    return { serviceDeployments, failures };
  },

  DescribeServiceRevisions({ state }, raw) {
    const body = raw as { serviceRevisionArns: string[] };
    atMost(body.serviceRevisionArns, 20, 'serviceRevisionArns');
    const serviceRevisions: unknown[] = [];
    const failures: unknown[] = [];
    for (const arn of body.serviceRevisionArns) {
      const revision = state.findRevision(arn);
      if (!revision) {
        failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      const td = state.taskDefinitions.resolve(arn.split(':')[3]!, revision.taskDefinitionArn);
      const containers = (td?.definition['containerDefinitions'] ?? []) as { name: string; image: string }[];
      serviceRevisions.push({
        serviceRevisionArn: revision.arn,
        serviceArn: revision.serviceArn,
        clusterArn: revision.clusterArn,
        taskDefinition: revision.taskDefinitionArn,
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        platformFamily: 'Linux',
        containerImages: containers.map((c) => ({ containerName: c.name, image: c.image })),
        guardDutyEnabled: false,
        createdAt: secs(revision.createdAt),
      });
    }
    return { serviceRevisions, failures };
  },

  DescribeTaskDefinition({ state, region }, raw) {
    const body = raw as { taskDefinition: string; include?: string[] };
    const td = state.taskDefinitions.resolve(region, body.taskDefinition);
    if (!td) throw new EcsApiError('ClientException', 'Unable to describe task definition.');
    return { taskDefinition: state.taskDefinitions.wire(td), tags: body.include?.includes('TAGS') ? td.tags : undefined };
  },

  ListTaskDefinitions({ state, region }, raw) {
    const body = raw as Page & { familyPrefix?: string; status?: 'ACTIVE' | 'INACTIVE'; sort?: 'ASC' | 'DESC' };
    const filter = { family: body.familyPrefix, status: body.status ?? 'ACTIVE', sort: body.sort ?? 'ASC' } as const;
    const found = state.taskDefinitions.list(region, filter);
    const page = paginate(found, body, 100);
    return { taskDefinitionArns: page.items.map((td) => td.arn), nextToken: page.nextToken };
  },

  RegisterTaskDefinition({ state, region, now }, raw) {
    const body = raw as RegisterInput;
    const td = state.taskDefinitions.register(region, body, now);
    return { taskDefinition: state.taskDefinitions.wire(td), tags: td.tags.length > 0 ? td.tags : undefined };
  },
};
