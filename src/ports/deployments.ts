import type { TaskDefinitionRef } from '../domain/task-definition.js';

/** Where an ECS service lives. */
export interface ServiceLocation {
  region: string;
  cluster: string;
  /** The ECS service name (not our config's short name). */
  service: string;
}

/** One entry of a service's `deployments` list, as DescribeServices reports it. */
export interface DeploymentSnapshot {
  id: string;
  /** PRIMARY | ACTIVE | INACTIVE */
  status: string;
  taskDefinitionArn: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  /** Absent on services without the rolling-update circuit breaker's bookkeeping (older fakes, other controllers). */
  rolloutState?: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason?: string;
  createdAt?: Date;
  updatedAt?: Date;
}

/** A service as DescribeServices reports it, reduced to what watching a rollback needs. */
export interface ServiceSnapshot {
  serviceName: string;
  serviceArn: string;
  /** ACTIVE | DRAINING | INACTIVE */
  status: string;
  taskDefinitionArn: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  deployments: DeploymentSnapshot[];
  /** ARN of the service deployment ECS considers current, when ECS reports one. */
  currentServiceDeploymentArn?: string;
  circuitBreaker?: { enabled: boolean; rollback: boolean };
  /** The newest service events first, at most 5. */
  events: { createdAt: Date; message: string }[];
}

/** ServiceDeploymentStatus from the ECS model. */
export type ServiceDeploymentStatus =
  | 'PENDING'
  | 'SUCCESSFUL'
  | 'STOPPED'
  | 'STOP_REQUESTED'
  | 'IN_PROGRESS'
  | 'ROLLBACK_REQUESTED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_SUCCESSFUL'
  | 'ROLLBACK_FAILED';

/** One entry of ECS's deployment history, with service revisions already resolved to task definitions. */
export interface ServiceDeploymentRecord {
  serviceDeploymentArn: string;
  status: ServiceDeploymentStatus;
  statusReason?: string;
  /** Task definitions the deployment started from (usually one). */
  sourceTaskDefinitionArns: string[];
  /** Task definition the deployment moves to. */
  targetTaskDefinitionArn?: string;
  createdAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
  circuitBreaker?: { status?: string; failureCount?: number; threshold?: number };
}

/** Why an ECS call failed, in words the core can act on. */
export type DeploymentsErrorCode =
  | 'not_found'
  | 'access_denied'
  | 'invalid_request'
  | 'throttled'
  | 'unsupported'
  | 'conflict'
  | 'unavailable';

/** A failed ECS call. `message` is safe to show a user: it never contains credentials. */
export class DeploymentsError extends Error {
  override readonly name = 'DeploymentsError';
  constructor(
    readonly code: DeploymentsErrorCode,
    message: string,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What the core needs from ECS. Every method may throw DeploymentsError. */
export interface DeploymentsPort {
  /** DescribeServices, split into calls of at most 10 names; names ECS does not know come back in `missing`. */
  describeServices(
    region: string,
    cluster: string,
    services: string[],
  ): Promise<{ services: ServiceSnapshot[]; missing: { service: string; reason: string }[] }>;

  /**
   * ECS's own deployment history for a service, newest first, at most `limit` entries
   * (ListServiceDeployments + DescribeServiceDeployments + DescribeServiceRevisions).
   * Returns null when this ECS endpoint does not offer the history API, so the caller can fall back.
   */
  listServiceDeployments(location: ServiceLocation, limit: number): Promise<ServiceDeploymentRecord[] | null>;

  /** DescribeTaskDefinition for an ARN or `family:revision`. */
  describeTaskDefinition(region: string, taskDefinition: string): Promise<TaskDefinitionRef>;

  /** ListTaskDefinitions of one family, ACTIVE only, newest first, at most `limit` ARNs. */
  listTaskDefinitionArns(region: string, family: string, limit: number): Promise<string[]>;

  /**
   * RegisterTaskDefinition: a new revision of `base`'s family, identical to `base` but for the
   * container images given (container name → full image reference).
   */
  registerTaskDefinitionWithImages(
    region: string,
    base: string,
    images: Record<string, string>,
  ): Promise<TaskDefinitionRef>;

  /** UpdateService(taskDefinition, forceNewDeployment: true). */
  updateService(location: ServiceLocation, taskDefinitionArn: string): Promise<ServiceSnapshot>;

  /** StopServiceDeployment(stopType: ROLLBACK). */
  stopServiceDeployment(region: string, serviceDeploymentArn: string): Promise<void>;
}
