import { sameTaskDefinition } from '../domain/last-good.js';
import { shortName, parseTaskDefinitionArn } from '../domain/task-definition.js';
import type { Clock } from '../ports/clock.js';
import type { DeploymentSnapshot, DeploymentsPort, ServiceSnapshot } from '../ports/deployments.js';
import type { Logger } from '../ports/logger.js';
import type { ServiceProgress } from './rollback-events.js';

/** How a watched service ended. */
export type WatchOutcome =
  | { state: 'succeeded' }
  | { state: 'failed'; detail: string }
  | { state: 'timed_out'; detail: string };

interface Watch {
  service: string;
  ecsService: string;
  target: string;
  startedAt: number;
  timeoutMs: number;
  /** Until then a PRIMARY deployment on another revision is ECS not having caught up yet, not a failure. */
  graceUntil: number;
  lastFingerprint: string;
  resolve: (outcome: WatchOutcome) => void;
  reject: (reason: unknown) => void;
}

/** Settings of one watcher. */
export interface WatcherOptions {
  region: string;
  cluster: string;
  pollMs: number;
  timeoutMs: number;
}

/**
 * Watches the services of one rollback until each is stable, failed or timed out, with one
 * DescribeServices call per poll for every 10 services, whatever number is being watched.
 */
export class ServiceWatcher {
  private readonly watches = new Map<string, Watch>();
  private loop: Promise<void> | null = null;
  private failingSince: number | null = null;

  constructor(
    private readonly deployments: DeploymentsPort,
    private readonly clock: Clock,
    private readonly options: WatcherOptions,
    private readonly onProgress: (progress: ServiceProgress) => void,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
  ) {}

  /** Watches `ecsService` until it runs `target` stably; `startedAt` is when the rollback of it began. */
  watch(service: string, ecsService: string, target: string, startedAt: number): Promise<WatchOutcome> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason);
    return new Promise<WatchOutcome>((resolve, reject) => {
      const grace = Math.max(30_000, 3 * this.options.pollMs);
      this.watches.set(ecsService, {
        service,
        ecsService,
        target,
        startedAt,
        timeoutMs: this.options.timeoutMs,
        graceUntil: this.clock.now() + grace,
        lastFingerprint: '',
        resolve,
        reject,
      });
      this.loop ??= this.run()
        .catch((reason: unknown) => {
          for (const watch of this.watches.values()) watch.reject(reason);
          this.watches.clear();
        })
        .finally(() => {
          this.loop = null;
        });
    });
  }

  private async run(): Promise<void> {
    // On a fixed cadence, not pollMs after each answer: every answer's round trip would otherwise push the later
    // polls back, and a service that just became stable could wait longer than one interval to be noticed.
    let due = this.clock.now() + this.options.pollMs;
    while (this.watches.size > 0) {
      await this.clock.sleep(due - this.clock.now(), this.signal);
      await this.pollOnce();
      due = nextTick(due, this.clock.now(), this.options.pollMs);
    }
  }

  private async pollOnce(): Promise<void> {
    const names = [...this.watches.keys()];
    let snapshots: Map<string, ServiceSnapshot>;
    try {
      const result = await this.deployments.describeServices(this.options.region, this.options.cluster, names);
      snapshots = new Map(result.services.map((s) => [s.serviceName, s]));
      for (const missing of result.missing) this.finish(missing.service, { state: 'failed', detail: `ECS no longer knows the service (${missing.reason}).` });
      if (this.failingSince !== null) this.failingSince = null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn({ err: message, services: names }, 'DescribeServices failed while watching; will retry');
      const first = this.failingSince === null;
      this.failingSince ??= this.clock.now();
      for (const watch of this.watches.values()) {
        if (first) this.onProgress({ ...emptyProgress(watch), note: `ECS is not answering (${message}); still watching.` });
        this.checkTimeout(watch, null);
      }
      return;
    }
    for (const [name, watch] of [...this.watches]) {
      const snapshot = snapshots.get(name);
      if (snapshot) this.evaluate(watch, snapshot);
    }
  }

  private evaluate(watch: Watch, snapshot: ServiceSnapshot): void {
    const ours = snapshot.deployments.find((d) => sameTaskDefinition(d.taskDefinitionArn, watch.target));
    const primary = snapshot.deployments.find((d) => d.status === 'PRIMARY') ?? snapshot.deployments[0];
    if (ours?.rolloutState === 'FAILED') {
      return this.finish(watch.ecsService, { state: 'failed', detail: failureDetail(ours) });
    }
    if (primary && !sameTaskDefinition(primary.taskDefinitionArn, watch.target) && this.clock.now() >= watch.graceUntil) {
      const reason = ours?.rolloutStateReason ? ` ${ours.rolloutStateReason}` : '';
      return this.finish(watch.ecsService, {
        state: 'failed',
        detail: `ECS is now deploying ${label(primary.taskDefinitionArn)} instead of ${label(watch.target)}.${reason}`,
      });
    }
    if (ours && ours === primary && isStable(snapshot, ours)) {
      // The thread's last word on a service must be where it ended, not the rollout it was in.
      this.onProgress(toProgress(watch, snapshot, ours));
      return this.finish(watch.ecsService, { state: 'succeeded' });
    }
    if (this.checkTimeout(watch, ours ?? null)) return;
    const progress = toProgress(watch, snapshot, ours ?? primary);
    const fingerprint = JSON.stringify(progress);
    if (fingerprint !== watch.lastFingerprint) {
      watch.lastFingerprint = fingerprint;
      this.onProgress(progress);
    }
  }

  private checkTimeout(watch: Watch, ours: DeploymentSnapshot | null): boolean {
    if (this.clock.now() - watch.startedAt < watch.timeoutMs) return false;
    const minutes = Math.round((watch.timeoutMs / 60_000) * 10) / 10;
    const where = ours ? ` ${ours.runningCount}/${ours.desiredCount} tasks running, rollout ${ours.rolloutState ?? 'unknown'}.` : ' ECS did not answer.';
    this.finish(watch.ecsService, { state: 'timed_out', detail: `Not stable after ${minutes} min:${where}` });
    return true;
  }

  private finish(ecsService: string, outcome: WatchOutcome): void {
    const watch = this.watches.get(ecsService);
    if (!watch) return;
    this.watches.delete(ecsService);
    watch.resolve(outcome);
  }
}

/** The first tick of the cadence (`previous`, every `interval`) after `now`: ticks missed by a slow poll are skipped, not run back to back. */
export function nextTick(previous: number, now: number, interval: number): number {
  return previous + (Math.max(0, Math.floor((now - previous) / interval)) + 1) * interval;
}

/** ECS's notion of done: only our deployment left, every task running, rollout COMPLETED (when ECS reports it). */
export function isStable(snapshot: ServiceSnapshot, ours: DeploymentSnapshot): boolean {
  return (
    snapshot.deployments.length === 1 &&
    ours.runningCount === ours.desiredCount &&
    ours.pendingCount === 0 &&
    (ours.rolloutState === undefined || ours.rolloutState === 'COMPLETED')
  );
}

function failureDetail(d: DeploymentSnapshot): string {
  const reason = d.rolloutStateReason ?? 'ECS marked the deployment FAILED.';
  return d.failedTasks > 0 ? `${reason} (${d.failedTasks} failed task${d.failedTasks === 1 ? '' : 's'})` : reason;
}

function toProgress(watch: Watch, snapshot: ServiceSnapshot, d: DeploymentSnapshot | undefined): ServiceProgress {
  return {
    service: watch.service,
    taskDefinition: label(d?.taskDefinitionArn ?? watch.target),
    rolloutState: d?.rolloutState ?? null,
    runningCount: d?.runningCount ?? 0,
    desiredCount: d?.desiredCount ?? snapshot.desiredCount,
    pendingCount: d?.pendingCount ?? 0,
    failedTasks: d?.failedTasks ?? 0,
    deployments: snapshot.deployments.length,
  };
}

function emptyProgress(watch: Watch): ServiceProgress {
  return { service: watch.service, taskDefinition: label(watch.target), rolloutState: null, runningCount: 0, desiredCount: 0, pendingCount: 0, failedTasks: 0, deployments: 0 };
}

function label(arn: string): string {
  const parsed = parseTaskDefinitionArn(arn);
  return parsed ? shortName(parsed) : arn;
}
