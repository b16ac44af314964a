import type { Clock } from '../../../src/ports/clock.js';
import { EcsApiError, fakeId } from './fake-ecs-errors.js';
import {
  DEFAULT_BEHAVIOUR,
  breakerThreshold,
  rolloutCounts,
  rolloutOutcome,
  type RolloutBehaviour,
  type TaskCounts,
} from './fake-ecs-rollout.js';
import { TaskDefinitionRegistry } from './fake-ecs-task-definitions.js';
import type { DeploymentEntry, HistoryRecord, ServiceRevision, ServiceState } from './fake-ecs-types.js';

const ONGOING = new Set(['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']);
// ECS takes a moment between accepting a rollback and starting it.
const ROLLBACK_START_DELAY_MS = 5_000;
const MAX_EVENTS = 100;

/**
 * Clusters, services, deployments and their history, played forward lazily: every read first applies
 * the transitions (completion, circuit breaker, rollbacks) that fell due by the clock's time.
 */
export class FakeEcsState {
  readonly taskDefinitions: TaskDefinitionRegistry;
  private readonly clusters = new Set<string>();
  private readonly services = new Map<string, ServiceState>();
  private readonly revisions = new Map<string, ServiceRevision>();
  private readonly records = new Map<string, HistoryRecord>();
  private seq = 0;

  constructor(
    readonly clock: Clock,
    readonly accountId: string,
  ) {
    this.taskDefinitions = new TaskDefinitionRegistry(accountId);
  }

  clusterArn(region: string, cluster: string): string {
    return `arn:aws:ecs:${region}:${this.accountId}:cluster/${cluster}`;
  }

  serviceArn(region: string, cluster: string, service: string): string {
    return `arn:aws:ecs:${region}:${this.accountId}:service/${cluster}/${service}`;
  }

  createCluster(region: string, cluster: string): void {
    this.clusters.add(`${region}/${cluster}`);
  }

  /** The cluster's name, given a name or ARN; ClusterNotFoundException when there is none. */
  requireCluster(region: string, ref: string | undefined): string {
    const name = (ref ?? 'default').slice((ref ?? '').lastIndexOf('/') + 1);
    if (!this.clusters.has(`${region}/${name}`)) throw new EcsApiError('ClusterNotFoundException', 'Cluster not found.');
    return name;
  }

  createService(
    region: string,
    cluster: string,
    name: string,
    options: { desiredCount: number; circuitBreaker: { enable: boolean; rollback: boolean }; createdAt: number },
  ): ServiceState {
    this.createCluster(region, cluster);
    const service: ServiceState = {
      key: `${region}/${cluster}/${name}`,
      region,
      cluster,
      name,
      arn: this.serviceArn(region, cluster, name),
      clusterArn: this.clusterArn(region, cluster),
      behaviour: {},
      behaviourByTaskDefinition: new Map(),
      deployments: [],
      events: [],
      history: [],
      ...options,
    };
    this.services.set(service.key, service);
    return service;
  }

  /** A service by name or ARN, played forward to now. */
  findService(region: string, cluster: string, ref: string): ServiceState | undefined {
    const service = this.services.get(`${region}/${cluster}/${ref.slice(ref.lastIndexOf('/') + 1)}`);
    if (service) this.playTo(service, this.clock.now());
    return service;
  }

  requireService(region: string, clusterRef: string | undefined, ref: string): ServiceState {
    const service = this.findService(region, this.requireCluster(region, clusterRef), ref);
    if (!service) throw new EcsApiError('ServiceNotFoundException', 'Service not found.');
    return service;
  }

  /** A service deployment by ARN, its service played forward to now. */
  findRecord(arn: string): HistoryRecord | undefined {
    const record = this.records.get(arn);
    const service = record && this.services.get(record.serviceKey);
    if (service) this.playTo(service, this.clock.now());
    return record;
  }

  findRevision(arn: string): ServiceRevision | undefined {
    return this.revisions.get(arn);
  }

  behaviourFor(service: ServiceState, taskDefinitionArn: string): RolloutBehaviour {
    return { ...DEFAULT_BEHAVIOUR, ...service.behaviour, ...service.behaviourByTaskDefinition.get(taskDefinitionArn) };
  }

  /** Starts a new service deployment to `taskDefinitionArn`: a new PRIMARY, every earlier deployment ACTIVE and draining. */
  deploy(service: ServiceState, taskDefinitionArn: string, at: number, behaviour?: RolloutBehaviour): HistoryRecord {
    this.playTo(service, at);
    for (const record of service.history.filter((r) => ONGOING.has(r.status))) {
      Object.assign(record, { status: 'STOPPED', stoppedAt: at, updatedAt: at, rollbackStartsAt: undefined });
      record.statusReason = 'Service deployment stopped because a newer service deployment started.';
    }
    const sources = [...new Set(service.deployments.map((d) => d.serviceRevisionArn))];
    this.settleAll(service, at);
    const path = `${service.region}:${this.accountId}`;
    const revision: ServiceRevision = {
      arn: `arn:aws:ecs:${path}:service-revision/${service.cluster}/${service.name}/${fakeId(`revision-${++this.seq}`, 19, 'digits')}`,
      serviceArn: service.arn,
      clusterArn: service.clusterArn,
      taskDefinitionArn,
      createdAt: at,
    };
    this.revisions.set(revision.arn, revision);
    const recordArn = `arn:aws:ecs:${path}:service-deployment/${service.cluster}/${service.name}/${fakeId(`record-${++this.seq}`, 22)}`;
    const entry = this.startDeployment(service, revision, recordArn, at, behaviour ?? this.behaviourFor(service, taskDefinitionArn));
    entry.rolloutStateReason = `ECS deployment ${entry.id} in progress.`;
    const record: HistoryRecord = {
      arn: recordArn,
      serviceKey: service.key,
      createdAt: at,
      updatedAt: at,
      sourceRevisionArns: sources,
      targetRevisionArn: revision.arn,
      deploymentId: entry.id,
      status: 'IN_PROGRESS',
      breaker: { ...service.circuitBreaker },
      breakerStatus: service.circuitBreaker.enable ? 'MONITORING' : 'DISABLED',
      failureCount: 0,
    };
    service.history.push(record);
    this.records.set(record.arn, record);
    return record;
  }

  /** StopServiceDeployment(ROLLBACK): halts the rollout now and rolls back to the source revision a moment later. */
  requestRollback(record: HistoryRecord, at: number): void {
    const service = this.services.get(record.serviceKey)!;
    this.playTo(service, at);
    if (record.status !== 'IN_PROGRESS' && record.status !== 'PENDING') {
      const message = `The service deployment is ${record.status}; only an IN_PROGRESS service deployment can be stopped.`;
      throw new EcsApiError('ConflictException', message);
    }
    if (record.sourceRevisionArns.length === 0) {
      throw new EcsApiError('ConflictException', 'The service deployment has no source service revision to roll back to.');
    }
    const counts = this.counts(service, at);
    for (const d of service.deployments) d.settled ??= counts.get(d.id)!;
    Object.assign(record, { status: 'ROLLBACK_REQUESTED', updatedAt: at, rollbackStartsAt: at + ROLLBACK_START_DELAY_MS });
  }

  /** Task counts of every current deployment: the PRIMARY's as it rolls out, the ACTIVE ones' draining as it grows, oldest first. */
  counts(service: ServiceState, at: number): Map<string, TaskCounts> {
    const result = new Map<string, TaskCounts>();
    const [primary, ...older] = service.deployments;
    if (!primary) return result;
    const current = primary.settled ?? rolloutCounts(primary.createdAt, primary.desiredCount, primary.behaviour, at);
    result.set(primary.id, current);
    let drain = current.running;
    for (const d of older.reverse()) {
      const settled = d.settled!;
      const stopped = Math.min(settled.running, drain);
      drain -= stopped;
      const changedAt = stopped > 0 ? current.changedAt : settled.changedAt;
      result.set(d.id, { ...settled, running: settled.running - stopped, changedAt });
    }
    return result;
  }

  /** Applies, in time order, every transition of the service that falls due by `at`. */
  playTo(service: ServiceState, at: number): void {
    for (;;) {
      const next = this.nextTransition(service);
      if (!next || next.at > at) return;
      next.apply();
    }
  }

  private nextTransition(service: ServiceState): { at: number; apply: () => void } | undefined {
    const candidates: { at: number; apply: () => void }[] = [];
    const primary = service.deployments[0];
    if (primary && !primary.settled) {
      const record = this.records.get(primary.serviceDeploymentArn)!;
      const outcome = rolloutOutcome(primary.createdAt, primary.desiredCount, primary.behaviour, record.breaker.enable);
      if (outcome) {
        const { kind, at } = outcome;
        candidates.push({ at, apply: () => (kind === 'complete' ? this.complete(service, primary, at) : this.fail(service, primary, at)) });
      }
    }
    for (const record of service.history) {
      const startsAt = record.rollbackStartsAt;
      if (startsAt !== undefined) candidates.push({ at: startsAt, apply: () => this.startRollback(service, record, startsAt, 'stop') });
    }
    return candidates.sort((a, b) => a.at - b.at)[0];
  }

  private complete(service: ServiceState, primary: DeploymentEntry, at: number): void {
    primary.settled = { running: primary.desiredCount, pending: 0, failedTasks: 0, changedAt: at };
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    service.deployments = [primary];
    const record = this.records.get(primary.serviceDeploymentArn)!;
    record.status = record.status === 'ROLLBACK_IN_PROGRESS' ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL';
    Object.assign(record, { finishedAt: at, updatedAt: at });
    if (record.breakerStatus === 'MONITORING') record.breakerStatus = 'MONITORING_COMPLETE';
    this.event(service, at, `(service ${service.name}) (deployment ${primary.id}) deployment completed.`);
    this.event(service, at, `(service ${service.name}) has reached a steady state.`);
  }

  private fail(service: ServiceState, primary: DeploymentEntry, at: number): void {
    const threshold = breakerThreshold(primary.desiredCount);
    primary.settled = { running: 0, pending: 0, failedTasks: threshold, changedAt: at };
    primary.rolloutState = 'FAILED';
    primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    const record = this.records.get(primary.serviceDeploymentArn)!;
    Object.assign(record, { failureCount: threshold, breakerStatus: 'TRIGGERED', updatedAt: at });
    this.event(service, at, `(service ${service.name}) (deployment ${primary.id}) deployment failed: tasks failed to start.`);
    if (record.status === 'ROLLBACK_IN_PROGRESS') {
      Object.assign(record, { status: 'ROLLBACK_FAILED', finishedAt: at });
      record.statusReason = 'Service deployment rollback failed because the circuit breaker threshold was exceeded.';
    } else if (record.breaker.rollback && record.sourceRevisionArns.length > 0) {
      this.startRollback(service, record, at, 'circuit-breaker');
    } else {
      Object.assign(record, { status: 'STOPPED', stoppedAt: at });
      record.statusReason = 'Service deployment stopped because the circuit breaker threshold was exceeded.';
    }
  }

  private startRollback(service: ServiceState, record: HistoryRecord, at: number, cause: 'circuit-breaker' | 'stop'): void {
    const source = this.revisions.get(record.sourceRevisionArns[0]!)!;
    const previous = service.deployments.find((d) => d.serviceRevisionArn === source.arn);
    this.settleAll(service, at);
    const entry = this.startDeployment(service, source, record.arn, at, this.behaviourFor(service, source.taskDefinitionArn));
    const target = previous ? `deploymentId ${previous.id}` : `service revision ${source.arn}`;
    const byBreaker = cause === 'circuit-breaker';
    entry.rolloutStateReason = `ECS deployment ${byBreaker ? 'circuit breaker: ' : ''}rolling back to ${target}.`;
    Object.assign(record, { status: 'ROLLBACK_IN_PROGRESS', updatedAt: at, rollbackStartsAt: undefined });
    record.statusReason = byBreaker
      ? 'Service deployment rolled back because the circuit breaker threshold was exceeded.'
      : 'Service deployment rolled back because of a StopServiceDeployment request.';
    record.rollback = {
      reason: byBreaker ? 'Circuit breaker threshold was exceeded.' : 'Rollback requested with StopServiceDeployment.',
      startedAt: at,
      serviceRevisionArn: source.arn,
    };
    this.event(service, at, `(service ${service.name}) rolling back to ${target}.`);
  }

  private startDeployment(
    service: ServiceState,
    revision: ServiceRevision,
    recordArn: string,
    at: number,
    behaviour: RolloutBehaviour,
  ): DeploymentEntry {
    const entry: DeploymentEntry = {
      id: `ecs-svc/${fakeId(`deployment-${++this.seq}`, 19, 'digits')}`,
      status: 'PRIMARY',
      taskDefinitionArn: revision.taskDefinitionArn,
      serviceRevisionArn: revision.arn,
      serviceDeploymentArn: recordArn,
      desiredCount: service.desiredCount,
      createdAt: at,
      behaviour,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: '',
      settled: null,
    };
    service.deployments.unshift(entry);
    return entry;
  }

  /** Freezes every current deployment where it stands and makes it ACTIVE: a new PRIMARY is about to replace it. */
  private settleAll(service: ServiceState, at: number): void {
    const counts = this.counts(service, at);
    for (const d of service.deployments) {
      d.settled = { ...counts.get(d.id)!, pending: 0 };
      d.status = 'ACTIVE';
    }
  }

  private event(service: ServiceState, at: number, message: string): void {
    service.events.unshift({ id: fakeId(`event-${++this.seq}`, 36), createdAt: at, message });
    service.events.length = Math.min(service.events.length, MAX_EVENTS);
  }
}
