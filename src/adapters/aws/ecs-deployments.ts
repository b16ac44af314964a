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
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type ServiceDeployment,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { imageTag, type TaskDefinitionRef } from '../../domain/task-definition.js';
import {
  DeploymentsError,
  type DeploymentSnapshot,
  type DeploymentsPort,
  type ServiceDeploymentRecord,
  type ServiceSnapshot,
} from '../../ports/deployments.js';
import { describeAwsError, type AwsErrorKind } from './aws-errors.js';

// ECS's documented per-call limits.
const DESCRIBE_SERVICES_MAX = 10;
const DESCRIBE_SERVICE_DEPLOYMENTS_MAX = 20;
const DESCRIBE_SERVICE_REVISIONS_MAX = 20;
const PAGE_MAX = 100;
const EVENTS_KEPT = 5;
const ROLLOUT_STATES = new Set(['IN_PROGRESS', 'COMPLETED', 'FAILED']);

/** The DeploymentsPort over the ECS API; `clientFor` hands out the (composition root's) client of a region. */
export function createEcsDeployments(clientFor: (region: string) => ECSClient): DeploymentsPort {
  return {
    async describeServices(region, cluster, services) {
      const names = [...new Set(services)];
      const answers = await Promise.all(
        chunks(names, DESCRIBE_SERVICES_MAX).map((batch) =>
          call('DescribeServices', () => clientFor(region).send(new DescribeServicesCommand({ cluster, services: batch }))),
        ),
      );
      return {
        services: answers.flatMap((a) => a.services ?? []).map(toServiceSnapshot),
        missing: answers
          .flatMap((a) => a.failures ?? [])
          .map((f) => ({ service: lastSegment(f.arn ?? ''), reason: f.reason ?? 'unknown' })),
      };
    },

    async listServiceDeployments({ region, cluster, service }, limit) {
      try {
        return await serviceDeploymentHistory(clientFor(region), cluster, service, limit);
      } catch (error) {
        // An endpoint without the history API (older ECS, emulators) makes the caller fall back to other evidence.
        if (error instanceof DeploymentsError && error.code === 'unsupported') return null;
        throw error;
      }
    },

    async describeTaskDefinition(region, taskDefinition) {
      const answer = await describeTaskDefinition(clientFor(region), taskDefinition, false);
      return toTaskDefinitionRef(answer.taskDefinition, 'DescribeTaskDefinition');
    },

    async listTaskDefinitionArns(region, family, limit) {
      const arns: string[] = [];
      let nextToken: string | undefined;
      while (arns.length < limit) {
        const page = await call('ListTaskDefinitions', () =>
          clientFor(region).send(
            new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', maxResults: PAGE_MAX, nextToken }),
          ),
        );
        // familyPrefix is documented as the full family name; keeping exact matches guards against a prefix match.
        arns.push(...(page.taskDefinitionArns ?? []).filter((arn) => lastSegment(arn).replace(/:\d+$/, '') === family));
        nextToken = page.nextToken;
        if (!nextToken) break;
      }
      return arns.slice(0, limit);
    },

    async registerTaskDefinitionWithImages(region, base, images) {
      const client = clientFor(region);
      const described = await describeTaskDefinition(client, base, true);
      const input = registrableCopy(described.taskDefinition, images, described.tags);
      const registered = await call('RegisterTaskDefinition', () => client.send(new RegisterTaskDefinitionCommand(input)));
      return toTaskDefinitionRef(registered.taskDefinition, 'RegisterTaskDefinition');
    },

    async updateService({ region, cluster, service }, taskDefinitionArn) {
      const input = { cluster, service, taskDefinition: taskDefinitionArn, forceNewDeployment: true };
      const answer = await call('UpdateService', () => clientFor(region).send(new UpdateServiceCommand(input)));
      if (!answer.service) throw new DeploymentsError('unavailable', 'ECS UpdateService answered without the service', 'UpdateService');
      return toServiceSnapshot(answer.service);
    },

    async stopServiceDeployment(region, serviceDeploymentArn) {
      await call('StopServiceDeployment', () =>
        clientFor(region).send(new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: 'ROLLBACK' })),
      );
    },
  };
}

async function serviceDeploymentHistory(
  client: ECSClient,
  cluster: string,
  service: string,
  limit: number,
): Promise<ServiceDeploymentRecord[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  while (arns.length < limit) {
    const maxResults = Math.min(PAGE_MAX, limit - arns.length);
    const page = await call('ListServiceDeployments', () =>
      client.send(new ListServiceDeploymentsCommand({ cluster, service, maxResults, nextToken })),
    );
    arns.push(...(page.serviceDeployments ?? []).flatMap((d) => (d.serviceDeploymentArn ? [d.serviceDeploymentArn] : [])));
    nextToken = page.nextToken;
    if (!nextToken) break;
  }
  const deployments = (
    await Promise.all(
      chunks(arns.slice(0, limit), DESCRIBE_SERVICE_DEPLOYMENTS_MAX).map((batch) =>
        call('DescribeServiceDeployments', () => client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: batch }))),
      ),
    )
  ).flatMap((a) => a.serviceDeployments ?? []);

  const revisionArns = [
    ...new Set(deployments.flatMap((d) => [...(d.sourceServiceRevisions ?? []).map((r) => r.arn), d.targetServiceRevision?.arn])),
  ].filter((arn): arn is string => arn !== undefined);
  const revisions = (
    await Promise.all(
      chunks(revisionArns, DESCRIBE_SERVICE_REVISIONS_MAX).map((batch) =>
        call('DescribeServiceRevisions', () => client.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch }))),
      ),
    )
  ).flatMap((a) => a.serviceRevisions ?? []);
  const taskDefinitionOf = new Map(revisions.map((r) => [r.serviceRevisionArn, r.taskDefinition]));

  return deployments
    .flatMap((d) => toRecord(d, (arn) => (arn === undefined ? undefined : taskDefinitionOf.get(arn))))
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
}

function describeTaskDefinition(client: ECSClient, taskDefinition: string, withTags: boolean) {
  // ECS answers ClientException ("Unable to describe task definition.") for one it does not have.
  return call(
    'DescribeTaskDefinition',
    () => client.send(new DescribeTaskDefinitionCommand({ taskDefinition, ...(withTags ? { include: ['TAGS'] } : {}) })),
    { ClientException: 'not_found' },
  );
}

/** RegisterTaskDefinition input reproducing `td` but for the given container images. */
function registrableCopy(
  td: TaskDefinition | undefined,
  images: Record<string, string>,
  tags: RegisterTaskDefinitionCommandInput['tags'],
): RegisterTaskDefinitionCommandInput {
  if (!td?.family || !td.containerDefinitions) {
    throw new DeploymentsError('unavailable', 'ECS DescribeTaskDefinition answered without a task definition', 'DescribeTaskDefinition');
  }
  const {
    taskDefinitionArn: _arn,
    revision: _revision,
    status: _status,
    requiresAttributes: _requiresAttributes,
    compatibilities: _compatibilities,
    registeredAt: _registeredAt,
    registeredBy: _registeredBy,
    deregisteredAt: _deregisteredAt,
    deleteRequestedAt: _deleteRequestedAt,
    ...registrable
  } = td;
  // Does not compile once the SDK's TaskDefinition gains a field RegisterTaskDefinition lacks: list it as read-only above.
  const copy: { [K in keyof typeof registrable]: K extends keyof RegisterTaskDefinitionCommandInput ? (typeof registrable)[K] : never } =
    registrable;
  const containers = new Set(td.containerDefinitions.map((c) => c.name));
  const unknown = Object.keys(images).filter((name) => !containers.has(name));
  if (unknown.length > 0) {
    throw new DeploymentsError(
      'invalid_request',
      `ECS RegisterTaskDefinition was not attempted: ${td.family}:${td.revision} has no container named ${unknown.join(', ')}`,
      'RegisterTaskDefinition',
    );
  }
  return {
    ...copy,
    family: td.family,
    containerDefinitions: td.containerDefinitions.map((c) => (c.name && c.name in images ? { ...c, image: images[c.name] } : c)),
    ...(tags && tags.length > 0 ? { tags } : {}),
  };
}

function toServiceSnapshot(s: Service): ServiceSnapshot {
  const breaker = s.deploymentConfiguration?.deploymentCircuitBreaker;
  return {
    serviceName: s.serviceName ?? '',
    serviceArn: s.serviceArn ?? '',
    status: s.status ?? '',
    taskDefinitionArn: s.taskDefinition ?? '',
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    pendingCount: s.pendingCount ?? 0,
    deployments: (s.deployments ?? []).map(
      (d): DeploymentSnapshot => ({
        id: d.id ?? '',
        status: d.status ?? '',
        taskDefinitionArn: d.taskDefinition ?? '',
        desiredCount: d.desiredCount ?? 0,
        runningCount: d.runningCount ?? 0,
        pendingCount: d.pendingCount ?? 0,
        failedTasks: d.failedTasks ?? 0,
        ...(d.rolloutState && ROLLOUT_STATES.has(d.rolloutState) ? { rolloutState: d.rolloutState } : {}),
        ...(d.rolloutStateReason === undefined ? {} : { rolloutStateReason: d.rolloutStateReason }),
        ...(d.createdAt ? { createdAt: d.createdAt } : {}),
        ...(d.updatedAt ? { updatedAt: d.updatedAt } : {}),
      }),
    ),
    ...(s.currentServiceDeployment ? { currentServiceDeploymentArn: s.currentServiceDeployment } : {}),
    ...(breaker ? { circuitBreaker: { enabled: breaker.enable ?? false, rollback: breaker.rollback ?? false } } : {}),
    events: (s.events ?? [])
      .filter((e) => e.createdAt && e.message !== undefined)
      .map((e) => ({ createdAt: e.createdAt!, message: e.message! }))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, EVENTS_KEPT),
  };
}

/** The record of one service deployment; none for an entry missing its ARN or status, which no caller could act on. */
function toRecord(
  d: ServiceDeployment,
  taskDefinitionOf: (revisionArn: string | undefined) => string | undefined,
): ServiceDeploymentRecord[] {
  if (!d.serviceDeploymentArn || !d.status) return [];
  const breaker = d.deploymentCircuitBreaker;
  const target = taskDefinitionOf(d.targetServiceRevision?.arn);
  return [{
    serviceDeploymentArn: d.serviceDeploymentArn,
    status: d.status,
    ...(d.statusReason === undefined ? {} : { statusReason: d.statusReason }),
    sourceTaskDefinitionArns: (d.sourceServiceRevisions ?? []).flatMap((r) => taskDefinitionOf(r.arn) ?? []),
    ...(target === undefined ? {} : { targetTaskDefinitionArn: target }),
    ...(d.createdAt ? { createdAt: d.createdAt } : {}),
    ...(d.startedAt ? { startedAt: d.startedAt } : {}),
    ...(d.finishedAt ?? d.stoppedAt ? { finishedAt: (d.finishedAt ?? d.stoppedAt)! } : {}),
    ...(breaker ? { circuitBreaker: { status: breaker.status, failureCount: breaker.failureCount, threshold: breaker.threshold } } : {}),
  }];
}

function toTaskDefinitionRef(td: TaskDefinition | undefined, operation: string): TaskDefinitionRef {
  if (!td?.taskDefinitionArn || !td.family || td.revision === undefined) {
    throw new DeploymentsError('unavailable', `ECS ${operation} answered without a task definition`, operation);
  }
  return {
    arn: td.taskDefinitionArn,
    family: td.family,
    revision: td.revision,
    images: (td.containerDefinitions ?? []).map((c) => ({ container: c.name ?? '', image: c.image ?? '', tag: imageTag(c.image ?? '') })),
  };
}

async function call<T>(operation: string, run: () => Promise<T>, overrides?: Record<string, AwsErrorKind>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const failure = describeAwsError(error, 'ECS', operation, overrides);
    throw new DeploymentsError(failure.kind, failure.message, operation, 'cause' in failure ? { cause: failure.cause } : undefined);
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
