import type { Catalog } from '../domain/catalog.js';
import { Semaphore } from '../domain/concurrency.js';
import { overallOutcome, TERMINAL_SERVICE_STATES } from '../domain/rollback-state.js';
import type { AlarmsPort } from '../ports/alarms.js';
import type { Clock } from '../ports/clock.js';
import type { DeploymentsPort } from '../ports/deployments.js';
import type { HealthProbe } from '../ports/health-probe.js';
import type { LeasesPort } from '../ports/leases.js';
import type { Logger } from '../ports/logger.js';
import type { RollbackRecord, RollbackStore, ServiceRollbackRecord } from '../ports/store.js';
import type { AuditTrail } from './audit-trail.js';
import type { DatabaseRestoreRunner } from './database-restore-runner.js';
import { HealthMonitor, type Verdict } from './health-monitor.js';
import { withClaim } from './rollback-claims.js';
import { actOnService } from './service-actor.js';
import { verifyRollback } from './rollback-verification.js';
import type { RollbackEventBus, ServiceProgress, ServiceStatus } from './rollback-events.js';
import { ServiceWatcher, type WatchOutcome } from './service-watcher.js';

/** What the runner needs. */
export interface RunnerDeps {
  store: RollbackStore;
  deployments: DeploymentsPort;
  clock: Clock;
  events: RollbackEventBus;
  audit: AuditTrail;
  catalog: Catalog;
  logger: Logger;
  alarms: AlarmsPort;
  probe: HealthProbe;
  /** Who carries which rollback when several replicas share one store; `holder` names this process. */
  claims: { leases: LeasesPort; holder: string; ttlMs: number };
  /** Carries rollbacks whose plan is a database restore; without it they fail at once. */
  databaseRestores?: Pick<DatabaseRestoreRunner, 'run'>;
}

/** What one run of a rollback keeps in memory: the latest of every signal, to report changes as one picture. */
interface RunContext {
  rollback: RollbackRecord;
  monitor: HealthMonitor;
  ecs: Map<string, ServiceProgress>;
  states: Map<string, ServiceRollbackRecord['state']>;
  phase: 'rolling-back' | 'verifying';
  verify: { startedAt: number; windowMs: number } | null;
  /** Aborted when the bot stops or this replica loses its claim on the rollback. */
  signal: AbortSignal;
}

/**
 * Carries running rollbacks to their end: acts on each service (bounded), watches them all with
 * one poller, records every step before and after the ECS call, and resumes after a restart.
 */
export class RollbackRunner {
  private readonly active = new Map<string, Promise<void>>();
  /** Settles once a started rollback's claim was decided, so resumeAll can report what this process carries. */
  private readonly claimed = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly deps: RunnerDeps) {}

  /**
   * Starts (or resumes) a rollback in the background, if no other replica carries it; a second call
   * for the same id is a no-op.
   */
  start(rollbackId: string): void {
    if (this.stopping.signal.aborted || this.active.has(rollbackId)) return;
    const run = this.claimAndRun(rollbackId)
      .catch((err: unknown) => {
        if (this.stopping.signal.aborted) this.deps.logger.info({ rollbackId }, 'rollback left to resume at next start');
        else this.deps.logger.error({ err, rollbackId }, 'rollback run stopped');
      })
      .finally(() => this.active.delete(rollbackId));
    this.active.set(rollbackId, run);
  }

  /**
   * Picks up every running rollback nobody carries: at start-up those this process was carrying when
   * it stopped, and later those of a replica that died. Returns the ids this process now carries.
   */
  async resumeAll(): Promise<string[]> {
    const running = await this.deps.store.listRollbacksInState(['running']);
    for (const r of running) this.start(r.id);
    await Promise.all(running.map((r) => this.claimed.get(r.id)));
    return running.map((r) => r.id).filter((id) => this.active.has(id));
  }

  /** Ids of rollbacks this process is carrying. */
  activeIds(): string[] {
    return [...this.active.keys()];
  }

  /** Resolves when every rollback started so far has finished. */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()]);
  }

  /**
   * Stops taking new rollbacks and stops watching the running ones; their state stays in the
   * store for the next start to resume. Resolves once every run has let go.
   */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('rollback-bot is stopping'));
    await this.idle();
  }

  /** Runs the rollback only while this replica holds its claim (see `withClaim`). */
  private async claimAndRun(rollbackId: string): Promise<void> {
    let decided!: () => void;
    this.claimed.set(rollbackId, new Promise<void>((resolve) => (decided = resolve)));
    const ran = await withClaim(
      { ...this.deps.claims, clock: this.deps.clock, logger: this.deps.logger },
      `rollback:${rollbackId}`,
      this.stopping.signal,
      () => {
        decided();
        this.claimed.delete(rollbackId);
      },
      (signal) => this.run(rollbackId, signal),
    );
    if (!ran) this.deps.logger.debug({ rollbackId }, 'another replica carries this rollback');
  }

  private async run(rollbackId: string, signal: AbortSignal): Promise<void> {
    const { store, catalog, clock, events } = this.deps;
    const rollback = await store.getRollback(rollbackId);
    if (!rollback || rollback.state !== 'running') return;
    const environment = catalog.environments[rollback.environment];
    if (!environment) {
      await this.finishRollback(rollback, `environment ${rollback.environment} is no longer configured`);
      return;
    }
    const services = await store.getServices(rollbackId);
    const resumed = rollback.meta['runnerStarted'] === true;
    if (!resumed) await store.mergeMeta(rollbackId, { runnerStarted: true }, new Date(clock.now()));
    events.emit({ type: 'started', rollback, services, resumed });
    if (resumed) await this.deps.audit.record('system', 'rollback.resumed', 'info', { environment: rollback.environment, rollbackId });
    if (rollback.plan.database) {
      if (this.deps.databaseRestores) return this.deps.databaseRestores.run(rollback, services, environment, signal);
      return this.finishRollback(rollback, 'database restores are not wired into this process');
    }

    const { tunables } = environment;
    const pollMs = tunables.pollSeconds * 1000;
    const specs = rollback.plan.services.map((p) => environment.services[p.service]).filter((spec) => spec !== undefined);
    const monitor = new HealthMonitor(environment, specs, { alarms: this.deps.alarms, probe: this.deps.probe, logger: this.deps.logger, now: () => clock.now() }, Math.min(5_000, Math.max(1_000, pollMs)));
    const context: RunContext = {
      rollback,
      monitor,
      ecs: new Map(),
      states: new Map(services.map((s) => [s.service, s.state])),
      phase: 'rolling-back',
      verify: null,
      signal,
    };
    const watcher = new ServiceWatcher(
      this.deps.deployments,
      clock,
      { region: rollback.plan.region, cluster: rollback.plan.cluster, pollMs, timeoutMs: tunables.timeoutMinutes * 60_000 },
      (progress) => {
        context.ecs.set(progress.service, progress);
        this.emitProgress(context, progress.note ? [progress.note] : []);
      },
      this.deps.logger.child({ rollbackId }),
      signal,
    );
    const monitoring = new AbortController();
    const stopMonitoring = () => monitoring.abort();
    signal.addEventListener('abort', stopMonitoring, { once: true });
    const monitorLoop = monitor.hasSignals ? this.monitor(context, pollMs, monitoring.signal) : Promise.resolve();
    try {
      const acting = new Semaphore(tunables.concurrency);
      await Promise.all(
        services
          .filter((s) => !TERMINAL_SERVICE_STATES.includes(s.state))
          .map((s) => this.runService(context, s, acting, watcher)),
      );
      if (signal.aborted) return;
      const verification = await verifyRollback(
        { store: this.deps.store, clock, deployments: this.deps.deployments, signal },
        context.monitor,
        rollback,
        { pollMs, windowMs: tunables.verifyMinutes * 60_000 },
        (verify) => {
          context.phase = 'verifying';
          context.verify = verify;
          events.emit({ type: 'verifying', rollback, windowMs: verify.windowMs });
        },
      );
      if (signal.aborted) return;
      await this.finishRollback(rollback, null, verification);
    } finally {
      monitoring.abort();
      signal.removeEventListener('abort', stopMonitoring);
      await monitorLoop;
    }
  }

  /** Polls health signals until told to stop, reporting meaningful changes. */
  private async monitor(context: RunContext, pollMs: number, signal: AbortSignal): Promise<void> {
    try {
      for (let first = true; !signal.aborted; first = false) {
        const { changed, notes } = await context.monitor.poll();
        if (signal.aborted) return;
        if (first || changed.length > 0 || notes.length > 0) this.emitProgress(context, notes);
        await this.deps.clock.sleep(pollMs, signal);
      }
    } catch (err) {
      if (!signal.aborted) this.deps.logger.warn({ err, rollbackId: context.rollback.id }, 'health monitoring stopped');
    }
  }

  private emitProgress(context: RunContext, notes: string[]): void {
    const { rollback } = context;
    const health = new Map(context.monitor.snapshot().map((h) => [h.service, h]));
    const services: ServiceStatus[] = rollback.plan.services.map((p) => ({
      service: p.service,
      state: context.states.get(p.service) ?? 'pending',
      ecs: context.ecs.get(p.service) ?? null,
      health: health.get(p.service) ?? null,
    }));
    const now = this.deps.clock.now();
    this.deps.events.emit({
      type: 'progress',
      rollback,
      phase: context.phase,
      services,
      notes,
      elapsedMs: now - (rollback.startedAt?.getTime() ?? rollback.createdAt.getTime()),
      verify: context.verify ? { elapsedMs: now - context.verify.startedAt, windowMs: context.verify.windowMs } : null,
    });
  }

  private async runService(context: RunContext, record: ServiceRollbackRecord, acting: Semaphore, watcher: ServiceWatcher): Promise<void> {
    const { rollback } = context;
    const plan = rollback.plan.services.find((s) => s.service === record.service);
    if (!plan) return this.endService(context, record, { state: 'failed', detail: 'The service is missing from the stored plan.' });
    let target = record.toTaskDefinition;
    let startedAt = record.startedAt?.getTime() ?? this.deps.clock.now();
    if (record.state === 'pending' || record.state === 'acting') {
      try {
        context.states.set(record.service, 'acting');
        const acted = await acting.run(() => actOnService(this.deps, rollback, record, plan));
        context.states.set(record.service, 'watching');
        target = acted.target;
        startedAt = acted.startedAt;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return this.endService(context, record, { state: 'failed', detail: message });
      }
    }
    const outcome = await watcher.watch(record.service, plan.ecsService, target, startedAt);
    if (context.signal.aborted) return;
    await this.endService(context, { ...record, toTaskDefinition: target }, outcome);
  }

  private async endService(context: RunContext, record: ServiceRollbackRecord, outcome: WatchOutcome): Promise<void> {
    const { store, clock, events, audit } = this.deps;
    const { rollback } = context;
    context.states.set(record.service, outcome.state);
    const finishedAt = new Date(clock.now());
    const detail = outcome.state === 'succeeded' ? null : outcome.detail;
    await store.updateService(rollback.id, record.service, { state: outcome.state, finishedAt, detail });
    await audit.record('system', `service.${outcome.state}`, outcome.state === 'succeeded' ? 'ok' : 'error', {
      environment: rollback.environment,
      service: record.service,
      rollbackId: rollback.id,
      fromRevision: record.fromTaskDefinition,
      toRevision: record.toTaskDefinition,
      ...(detail ? { detail: { reason: detail } } : {}),
    });
    const done: ServiceRollbackRecord = { ...record, state: outcome.state, finishedAt, detail };
    const durationMs = finishedAt.getTime() - (record.startedAt?.getTime() ?? rollback.startedAt?.getTime() ?? finishedAt.getTime());
    events.emit({ type: 'service-done', rollback, service: done, state: outcome.state, durationMs });
  }

  private async finishRollback(rollback: RollbackRecord, failure: string | null, verification: Verdict | null = null): Promise<void> {
    const { store, clock, events, audit } = this.deps;
    const services = await store.getServices(rollback.id);
    const outcome = failure ? 'failed' : overallOutcome(services.map((s) => s.state));
    const finishedAt = new Date(clock.now());
    const meta = verification ? { verification: { verified: verification.verified, problems: verification.problems } } : {};
    const moved = await store.transition(rollback.id, ['running'], outcome, { finishedAt, meta }, finishedAt);
    if (!moved) return;
    const detail = { ...(failure ? { reason: failure } : {}), ...(verification ? { verified: verification.verified, problems: verification.problems } : {}) };
    await audit.record('system', `rollback.${outcome}`, outcome === 'succeeded' ? 'ok' : 'error', {
      environment: rollback.environment,
      rollbackId: rollback.id,
      ...(Object.keys(detail).length > 0 ? { detail } : {}),
    });
    const finished = (await store.getRollback(rollback.id)) ?? rollback;
    const durationMs = finishedAt.getTime() - (rollback.startedAt?.getTime() ?? rollback.createdAt.getTime());
    events.emit({ type: 'finished', rollback: finished, services, outcome, verification, durationMs });
  }
}
