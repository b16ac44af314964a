import type { Catalog, EnvironmentSpec, ServiceSpec } from '../domain/catalog.js';
import { mapWithConcurrency } from '../domain/concurrency.js';
import { UserFacingError } from '../domain/errors.js';
import type { ServicePlan } from '../domain/plan.js';
import type { TaskDefinitionRef } from '../domain/task-definition.js';
import { AlarmsError, type AlarmsPort } from '../ports/alarms.js';
import type { Clock } from '../ports/clock.js';
import type { DeployLock, DeployLocksPort } from '../ports/deploy-locks.js';
import { DeploymentsError, type DeploymentsPort, type ServiceSnapshot } from '../ports/deployments.js';
import type { RollbackStore, ServiceLockHolder } from '../ports/store.js';
import { RollbackPlanner } from './plan-rollback.js';

/** One service of `/rollback status`. */
export interface ServiceStatusRow {
  service: string;
  ecsService: string;
  /** What ECS reports; null when ECS does not know the service (see `problems`). */
  ecs: {
    running: TaskDefinitionRef | null;
    runningCount: number;
    desiredCount: number;
    pendingCount: number;
    /** The primary deployment's rollout state, when ECS reports one. */
    rolloutState: string | null;
    deployments: number;
  } | null;
  /** What `/rollback <env> <service>` would do now; null when it could not be worked out (see `problems`). */
  rollbackTo: ServicePlan | null;
  problems: string[];
  /** The service's configured alarms that are in ALARM now. */
  alarmsInAlarm: string[];
  deployLock: DeployLock | null;
  /** The unfinished rollback holding the service, if any. */
  rollbackInFlight: ServiceLockHolder | null;
}

/** `/rollback status <env>`: every service at one moment. */
export interface EnvironmentStatus {
  environment: string;
  region: string;
  cluster: string;
  at: Date;
  services: ServiceStatusRow[];
  /** Why alarm states are unknown, when CloudWatch did not answer. */
  alarmsProblem: string | null;
}

/** What became of a status request. */
export type StatusOutcome = { kind: 'error'; message: string } | { kind: 'ok'; status: EnvironmentStatus };

/**
 * Answers "what is running, and what would we go back to?" for a whole environment without changing
 * anything: one batched DescribeServices for every service, one DescribeAlarms, and the rollback
 * planner per service with bounded concurrency on a read-only view of ECS.
 */
export class StatusReporter {
  constructor(
    private readonly deps: {
      catalog: Catalog;
      deployments: DeploymentsPort;
      alarms: AlarmsPort;
      locks: DeployLocksPort;
      store: Pick<RollbackStore, 'listServiceLocks'>;
      clock: Clock;
    },
  ) {}

  /** The status of every configured service of `environmentName`. */
  async report(environmentName: string): Promise<StatusOutcome> {
    const environment = this.deps.catalog.environments[environmentName];
    if (!environment) return { kind: 'error', message: `Unknown environment ${environmentName}.` };
    const specs = Object.values(environment.services);
    const at = new Date(this.deps.clock.now());
    let described: Awaited<ReturnType<DeploymentsPort['describeServices']>>;
    try {
      described = await this.deps.deployments.describeServices(environment.region, environment.cluster, specs.map((s) => s.ecsService));
    } catch (err) {
      if (err instanceof DeploymentsError) return { kind: 'error', message: `ECS DescribeServices failed: ${err.message}` };
      throw err;
    }
    const snapshots = new Map(described.services.map((s) => [s.serviceName, s]));
    const view = new ReadOnlyEcs(this.deps.deployments, snapshots);
    const planner = new RollbackPlanner(view);
    const [rows, alarms, deployLocks, inFlight] = await Promise.all([
      mapWithConcurrency(specs, environment.tunables.concurrency, (spec) => this.serviceRow(environment, spec, snapshots.get(spec.ecsService), view, planner)),
      this.alarmsInAlarm(environment, specs),
      this.deps.locks.list(environment.name),
      this.deps.store.listServiceLocks(environment.name),
    ]);
    for (const row of rows) {
      row.alarmsInAlarm = alarms.inAlarm.filter((name) => environment.services[row.service]?.alarms.includes(name));
      row.deployLock = deployLocks.find((l) => l.service === row.service) ?? null;
      row.rollbackInFlight = inFlight.find((l) => l.service === row.service) ?? null;
    }
    return { kind: 'ok', status: { environment: environment.name, region: environment.region, cluster: environment.cluster, at, services: rows, alarmsProblem: alarms.problem } };
  }

  private async serviceRow(environment: EnvironmentSpec, spec: ServiceSpec, snapshot: ServiceSnapshot | undefined, view: ReadOnlyEcs, planner: RollbackPlanner): Promise<ServiceStatusRow> {
    const row: ServiceStatusRow = { service: spec.name, ecsService: spec.ecsService, ecs: null, rollbackTo: null, problems: [], alarmsInAlarm: [], deployLock: null, rollbackInFlight: null };
    if (!snapshot || snapshot.status !== 'ACTIVE') {
      row.problems.push(`ECS has no active service \`${spec.ecsService}\` in cluster \`${environment.cluster}\`.`);
      return row;
    }
    const primary = snapshot.deployments.find((d) => d.status === 'PRIMARY');
    let running: TaskDefinitionRef | null = null;
    try {
      running = await view.describeTaskDefinition(environment.region, snapshot.taskDefinitionArn);
    } catch (err) {
      if (!(err instanceof DeploymentsError)) throw err;
      row.problems.push(`ECS DescribeTaskDefinition failed: ${err.message}`);
    }
    row.ecs = {
      running,
      runningCount: snapshot.runningCount,
      desiredCount: snapshot.desiredCount,
      pendingCount: snapshot.pendingCount,
      rolloutState: primary?.rolloutState ?? null,
      deployments: snapshot.deployments.length,
    };
    if (!running) return row;
    try {
      const plan = await planner.plan(environment, [spec.name], false, null);
      row.rollbackTo = plan.services[0] ?? null;
    } catch (err) {
      if (!(err instanceof UserFacingError)) throw err;
      row.problems.push(err.message.startsWith(`${spec.name}: `) ? err.message.slice(spec.name.length + 2) : err.message);
    }
    return row;
  }

  private async alarmsInAlarm(environment: EnvironmentSpec, specs: ServiceSpec[]): Promise<{ inAlarm: string[]; problem: string | null }> {
    const names = [...new Set(specs.flatMap((s) => s.alarms))];
    if (names.length === 0) return { inAlarm: [], problem: null };
    try {
      const states = await this.deps.alarms.describeAlarms(environment.region, names);
      return { inAlarm: states.filter((a) => a.state === 'ALARM').map((a) => a.name), problem: null };
    } catch (err) {
      if (!(err instanceof AlarmsError)) throw err;
      return { inAlarm: [], problem: `CloudWatch DescribeAlarms failed: ${err.message}` };
    }
  }
}

/**
 * ECS as one status report sees it: DescribeServices answered from the batched call already made,
 * each task definition read once, and every mutating call refused, so a status can never change anything.
 */
class ReadOnlyEcs implements DeploymentsPort {
  private readonly taskDefinitions = new Map<string, Promise<TaskDefinitionRef>>();

  constructor(
    private readonly ecs: DeploymentsPort,
    private readonly snapshots: Map<string, ServiceSnapshot>,
  ) {}

  async describeServices(_region: string, _cluster: string, services: string[]) {
    const found = services.map((name) => this.snapshots.get(name)).filter((s): s is ServiceSnapshot => s !== undefined);
    return { services: found, missing: services.filter((name) => !this.snapshots.has(name)).map((service) => ({ service, reason: 'MISSING' })) };
  }

  listServiceDeployments: DeploymentsPort['listServiceDeployments'] = (location, limit) => this.ecs.listServiceDeployments(location, limit);

  listTaskDefinitionArns: DeploymentsPort['listTaskDefinitionArns'] = (region, family, limit) => this.ecs.listTaskDefinitionArns(region, family, limit);

  describeTaskDefinition(region: string, taskDefinition: string): Promise<TaskDefinitionRef> {
    const key = `${region} ${taskDefinition}`;
    let found = this.taskDefinitions.get(key);
    if (!found) {
      found = this.ecs.describeTaskDefinition(region, taskDefinition);
      this.taskDefinitions.set(key, found);
    }
    return found;
  }

  registerTaskDefinitionWithImages(): Promise<TaskDefinitionRef> {
    return Promise.reject(readOnly('RegisterTaskDefinition'));
  }

  updateService(): Promise<ServiceSnapshot> {
    return Promise.reject(readOnly('UpdateService'));
  }

  stopServiceDeployment(): Promise<void> {
    return Promise.reject(readOnly('StopServiceDeployment'));
  }
}

function readOnly(operation: string): DeploymentsError {
  return new DeploymentsError('invalid_request', `${operation} is never called while reporting status.`, operation);
}
