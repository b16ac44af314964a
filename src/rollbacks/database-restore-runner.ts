import type { EnvironmentSpec } from '../domain/catalog.js';
import {
  checkRestoreWindow,
  instanceProgress,
  RESTORE_POLL_MS,
  RESTORE_PROGRESS_MS,
  ROLLBACK_TAG,
  snapshotProgress,
  tagsWithMark,
  type DatabaseRestorePlan,
} from '../domain/database-restore.js';
import type { Clock } from '../ports/clock.js';
import { DatabasesError, type DatabasesPort } from '../ports/databases.js';
import type { Logger } from '../ports/logger.js';
import type { RollbackRecord, RollbackStore, ServiceRollbackRecord } from '../ports/store.js';
import type { AuditTrail } from './audit-trail.js';
import type { DatabaseRestoreStep, RollbackEventBus } from './rollback-events.js';

/** Where a restore stands, kept in the rollback's meta (`restore`) before and after every RDS call, so a restart resumes the wait. */
export interface RestoreProgress {
  step: 'snapshot' | 'restore' | 'done';
  /** When the current step's wait began (ISO), so a restart does not reset its timeout. */
  since: string;
  /** Set just before the restore call: an instance of the target's name found after a restart is then this rollback's. */
  restoreRequested: boolean;
  endpoint: { address: string; port: number } | null;
}

/** How one wait ended. */
type WaitOutcome<T> = { ok: true; value: T } | { ok: false; state: 'failed' | 'timed_out'; detail: string };

/** What one poll of a wait saw. */
interface Observation<T> {
  status: string;
  progress: 'available' | 'waiting' | 'failed';
  percent: number | null;
  value: T;
}

/** The facts of one run, passed from step to step. */
interface RunContext {
  rollback: RollbackRecord;
  plan: DatabaseRestorePlan;
  region: string;
  timeoutMs: number;
  signal: AbortSignal;
  record: ServiceRollbackRecord;
}

// A throttled or unreachable RDS while polling is waited out; anything else ends the wait.
const TRANSIENT = new Set(['throttled', 'unavailable']);

/**
 * Carries a database rollback to its end: a snapshot of the source (and the wait until it is available),
 * the restore into a new instance, and the wait until that instance is available, on its own poller with a
 * timeout per wait (2 h by default, not the SDK's 30-minute waiter). The source is never modified.
 */
export class DatabaseRestoreRunner {
  constructor(
    private readonly deps: {
      store: RollbackStore;
      databases: DatabasesPort;
      clock: Clock;
      events: RollbackEventBus;
      audit: AuditTrail;
      logger: Logger;
    },
  ) {}

  /** Runs (or resumes) one database rollback; returns quietly when `signal` aborts, leaving its state for the next start. */
  async run(rollback: RollbackRecord, services: ServiceRollbackRecord[], environment: EnvironmentSpec, signal: AbortSignal): Promise<void> {
    const plan = rollback.plan.database;
    const record = services[0];
    if (!plan || !record) return this.finish(rollback, record, { ok: false, state: 'failed', detail: 'The stored rollback has no database plan.' });
    const timeoutMs = environment.tunables.restoreTimeoutMinutes * 60_000;
    const context: RunContext = { rollback, plan, region: rollback.plan.region, timeoutMs, signal, record };
    try {
      await this.proceed(context);
    } catch (err) {
      if (signal.aborted) return;
      const detail = err instanceof Error ? err.message : String(err);
      await this.finish(rollback, record, { ok: false, state: 'failed', detail });
    }
  }

  private async proceed(context: RunContext): Promise<void> {
    const { rollback, record } = context;
    const stored = rollback.meta['restore'] as RestoreProgress | undefined;
    let progress: RestoreProgress = stored ?? { step: 'snapshot', since: this.nowIso(), restoreRequested: false, endpoint: null };
    if (!stored) {
      await this.save(rollback, progress);
      await this.deps.store.updateService(rollback.id, record.service, { state: 'acting', startedAt: new Date(this.deps.clock.now()) });
    }
    if (progress.step === 'snapshot') {
      const snapshot = await this.snapshot(context, progress);
      if (!snapshot.ok) return this.finish(rollback, record, snapshot);
      progress = { ...progress, step: 'restore', since: this.nowIso() };
      await this.save(rollback, progress);
    }
    if (progress.step === 'restore') {
      const restored = await this.restore(context, progress);
      if (!restored.ok) return this.finish(rollback, record, restored);
      progress = { ...progress, step: 'done', restoreRequested: true, endpoint: restored.value };
      await this.save(rollback, progress);
    }
    await this.finish(rollback, record, { ok: true, value: null });
  }

  /** CreateDBSnapshot of the source (unless a previous run already made it), then the wait until it is available. */
  private async snapshot(context: RunContext, progress: RestoreProgress): Promise<WaitOutcome<null>> {
    const { databases, audit } = this.deps;
    const { rollback, plan, region } = context;
    const facts = this.facts(context, { snapshot: plan.preRestoreSnapshot });
    const existing = await this.read(context, progress.since, () => databases.describeSnapshot(region, plan.preRestoreSnapshot));
    let note: string | null = 'Resumed after a restart: waiting for the pre-restore snapshot.';
    if (existing) {
      await audit.record('system', 'rds.snapshot-found-after-restart', 'info', facts);
    } else {
      const source = await this.waitFor(context, 'waiting-for-source', progress.since, 'The source is busy; its snapshot waits until it is `available`.', async () => {
        const instance = await databases.describeInstance(region, plan.sourceInstance);
        const status = instance?.status ?? 'missing';
        return { status, progress: status === 'available' ? 'available' : instance ? 'waiting' : 'failed', percent: null, value: null };
      });
      if (!source.ok) return { ...source, detail: `The source \`${plan.sourceInstance}\` never became available for its snapshot: ${source.detail}` };
      await audit.around(rollback.requestedBy, 'rds.create-db-snapshot', facts, () =>
        databases.createSnapshot(region, plan.sourceInstance, plan.preRestoreSnapshot, [{ key: ROLLBACK_TAG, value: rollback.id }]),
      );
      note = `Snapshot \`${plan.preRestoreSnapshot}\` of \`${plan.sourceInstance}\` started; the restore waits until it is available.`;
    }
    const done = await this.waitFor(context, 'snapshotting', progress.since, note, async () => {
      const snapshot = await databases.describeSnapshot(region, plan.preRestoreSnapshot);
      const status = snapshot?.status ?? 'missing';
      return { status, progress: snapshot ? snapshotProgress(status) : 'failed', percent: snapshot?.percentProgress ?? null, value: null };
    });
    return done.ok ? done : { ...done, detail: `Pre-restore snapshot \`${plan.preRestoreSnapshot}\`: ${done.detail} Nothing was restored.` };
  }

  /** The restore call into the new instance (unless a previous run already made it), then the wait until it is available. */
  private async restore(context: RunContext, progress: RestoreProgress): Promise<WaitOutcome<{ address: string; port: number }>> {
    const { databases, audit, store } = this.deps;
    const { rollback, plan, region, record } = context;
    const existing = await this.read(context, progress.since, () => databases.describeInstance(region, plan.targetInstance));
    let note: string | null = 'Resumed after a restart: waiting for the new instance.';
    if (existing) {
      const ours = progress.restoreRequested || existing.tags.some((t) => t.key === ROLLBACK_TAG && t.value === rollback.id);
      if (!ours) return { ok: false, state: 'failed', detail: `An instance named \`${plan.targetInstance}\` appeared that this rollback did not create; nothing was restored.` };
      await audit.record('system', 'rds.restore-found-after-restart', 'info', this.facts(context, {}));
    } else {
      if (plan.target.kind === 'time') {
        const window = await this.read(context, progress.since, () => databases.restorableWindow(region, plan.sourceInstance));
        const source = await this.read(context, progress.since, () => databases.describeInstance(region, plan.sourceInstance));
        const latest = source?.latestRestorableTime ?? window?.latest ?? null;
        const check = checkRestoreWindow(new Date(plan.target.restoreTime), { earliest: window?.earliest ?? null, latest }, new Date(this.deps.clock.now()));
        if (!check.ok) return { ok: false, state: 'failed', detail: `No restore was made: ${check.problem}` };
      }
      await this.save(rollback, { ...progress, restoreRequested: true });
      const request = { targetInstance: plan.targetInstance, settings: plan.settings, tags: tagsWithMark(plan.settings.tags, rollback.id) };
      const target = plan.target;
      if (target.kind === 'time') {
        await audit.around(rollback.requestedBy, 'rds.restore-db-instance-to-point-in-time', this.facts(context, { restoreTime: target.restoreTime }), () =>
          databases.restoreToPointInTime(region, plan.sourceInstance, new Date(target.restoreTime), request),
        );
      } else {
        await audit.around(rollback.requestedBy, 'rds.restore-db-instance-from-db-snapshot', this.facts(context, { snapshot: target.snapshotId }), () =>
          databases.restoreFromSnapshot(region, target.snapshotId, request),
        );
      }
      await store.updateService(rollback.id, record.service, { state: 'watching' });
      note = `Restore into the new instance \`${plan.targetInstance}\` started; the source is not touched.`;
    }
    const done = await this.waitFor(context, 'restoring', progress.since, note, async () => {
      const instance = await databases.describeInstance(region, plan.targetInstance);
      const status = instance?.status ?? 'missing';
      const endpoint = instance?.endpoint ?? null;
      const state = instance ? instanceProgress(status) : 'failed';
      return { status, progress: state === 'available' && !endpoint ? 'waiting' : state, percent: null, value: endpoint };
    });
    if (!done.ok) return { ...done, detail: `New instance \`${plan.targetInstance}\`: ${done.detail} The source is unchanged.` };
    return { ok: true, value: done.value! };
  }

  /**
   * Polls `observe` on the engine's clock until it reports available or failed, or the step's timeout passes;
   * reports progress on every change of status and at least every few minutes, the first time with `note`.
   */
  private async waitFor<T>(context: RunContext, step: DatabaseRestoreStep, since: string, note: string | null, observe: () => Promise<Observation<T>>): Promise<WaitOutcome<T>> {
    const { clock, logger } = this.deps;
    const deadline = Date.parse(since) + context.timeoutMs;
    let last: { status: string; at: number } | null = null;
    for (;;) {
      const seen = await observe().catch((err: unknown) => {
        if (!(err instanceof DatabasesError) || !TRANSIENT.has(err.code)) throw err;
        logger.warn({ err: err.message, rollbackId: context.rollback.id }, 'RDS did not answer a poll; trying again');
        return null;
      });
      if (seen?.progress === 'available') return { ok: true, value: seen.value };
      if (seen?.progress === 'failed') return { ok: false, state: 'failed', detail: `RDS reports it \`${seen.status}\`.` };
      const now = clock.now();
      if (now >= deadline) {
        const minutes = Math.round(context.timeoutMs / 60_000);
        return { ok: false, state: 'timed_out', detail: `still \`${seen?.status ?? 'unknown'}\` after ${minutes} min; the bot stopped waiting and deleted nothing.` };
      }
      if (seen && (last === null || seen.status !== last.status || now - last.at >= RESTORE_PROGRESS_MS)) {
        this.emit(context, step, seen.status, seen.percent, last ? null : note);
        last = { status: seen.status, at: now };
      }
      await clock.sleep(Math.min(RESTORE_POLL_MS, deadline - now), context.signal);
    }
  }

  /** A read outside a wait, riding out a throttled or unreachable RDS as polls do, until the step's timeout passes. */
  private async read<T>(context: RunContext, since: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.parse(since) + context.timeoutMs;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof DatabasesError) || !TRANSIENT.has(err.code) || this.deps.clock.now() >= deadline) throw err;
        this.deps.logger.warn({ err: err.message, rollbackId: context.rollback.id }, 'RDS did not answer; trying again');
      }
      await this.deps.clock.sleep(RESTORE_POLL_MS, context.signal);
    }
  }

  private async finish(rollback: RollbackRecord, record: ServiceRollbackRecord | undefined, outcome: WaitOutcome<unknown>): Promise<void> {
    const { store, clock, audit, events } = this.deps;
    const finishedAt = new Date(clock.now());
    const state = outcome.ok ? 'succeeded' : outcome.state;
    const detail = outcome.ok ? null : outcome.detail;
    const facts = { environment: rollback.environment, rollbackId: rollback.id, ...(detail ? { detail: { reason: detail } } : {}) };
    if (record) {
      await store.updateService(rollback.id, record.service, { state, finishedAt, detail });
      await audit.record('system', `service.${state}`, outcome.ok ? 'ok' : 'error', { ...facts, service: record.service, fromRevision: record.fromTaskDefinition, toRevision: record.toTaskDefinition });
    }
    const result = outcome.ok ? 'succeeded' : 'failed';
    if (!(await store.transition(rollback.id, ['running'], result, { finishedAt }, finishedAt))) return;
    await audit.record('system', `rollback.${result}`, outcome.ok ? 'ok' : 'error', facts);
    const finished = (await store.getRollback(rollback.id)) ?? rollback;
    const durationMs = finishedAt.getTime() - (rollback.startedAt?.getTime() ?? rollback.createdAt.getTime());
    events.emit({ type: 'finished', rollback: finished, services: await store.getServices(rollback.id), outcome: result, verification: null, durationMs });
  }

  private emit(context: RunContext, step: DatabaseRestoreStep, status: string, percent: number | null, note: string | null): void {
    const { rollback } = context;
    const elapsedMs = this.deps.clock.now() - (rollback.startedAt?.getTime() ?? rollback.createdAt.getTime());
    this.deps.events.emit({ type: 'database-progress', rollback, step, status, percent, elapsedMs, note });
  }

  private save(rollback: RollbackRecord, progress: RestoreProgress): Promise<void> {
    return this.deps.store.mergeMeta(rollback.id, { restore: progress }, new Date(this.deps.clock.now()));
  }

  private facts(context: RunContext, detail: Record<string, unknown>) {
    const { rollback, plan, record } = context;
    return { environment: rollback.environment, service: record.service, rollbackId: rollback.id, fromRevision: plan.sourceInstance, toRevision: plan.targetInstance, detail };
  }

  private nowIso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }
}
