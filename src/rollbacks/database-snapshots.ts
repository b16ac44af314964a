import type { Catalog, DatabaseSpec, EnvironmentSpec } from '../domain/catalog.js';
import { databaseLockName, manualSnapshotId, RESTORE_POLL_MS, snapshotProgress, unsupportedSource } from '../domain/database-restore.js';
import { decideRequest } from '../domain/policy.js';
import type { Clock } from '../ports/clock.js';
import { DatabasesError, type DatabaseSnapshot, type DatabasesPort } from '../ports/databases.js';
import type { Logger } from '../ports/logger.js';
import type { AuditTrail } from './audit-trail.js';
import type { Requester } from './request-rollback.js';

/** Which database a snapshot command names. */
export interface DatabaseRef {
  environment: string;
  database: string;
}

/** `/rollback db <env> <database> snapshots`: the recent snapshots and the point-in-time window. */
export type SnapshotListOutcome =
  | { kind: 'error'; message: string }
  | { kind: 'listed'; environment: string; database: string; instance: string; window: { earliest: Date; latest: Date | null } | null; snapshots: DatabaseSnapshot[] };

/** `/rollback snapshot <env> <database>`: what became of the request. */
export type SnapshotOutcome = { kind: 'refused'; message: string } | { kind: 'error'; message: string } | { kind: 'started'; snapshot: string; instance: string };

/** How a manual snapshot ended, for the person who asked. */
export interface SnapshotReport {
  environment: string;
  database: string;
  instance: string;
  snapshot: string;
  requester: Requester;
  outcome: 'available' | 'failed' | 'timed_out';
  /** RDS's status when it did not become available. */
  status: string;
  durationMs: number;
}

/** How many snapshots the list shows. */
const LISTED = 10;

/**
 * Lists a database's snapshots and takes manual ones (the "snapshot before every migration" habit). A snapshot
 * changes nothing, so it needs no confirmation, but only the environment's requesters may take one, and it is audited.
 * The wait until it is available runs in the background and ends with `notify`; it is not resumed after a restart.
 */
export class DatabaseSnapshots {
  private readonly stopping = new AbortController();
  private readonly waits = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      catalog: Catalog;
      databases: DatabasesPort;
      audit: AuditTrail;
      clock: Clock;
      logger: Logger;
      notify: (report: SnapshotReport) => Promise<void>;
    },
  ) {}

  /** The newest snapshots of the database's instance (manual and automated), and its point-in-time window. */
  async list(ref: DatabaseRef): Promise<SnapshotListOutcome> {
    const found = this.lookup(ref);
    if (!found) return { kind: 'error', message: `Unknown database ${ref.database} in ${ref.environment}.` };
    const { environment, spec } = found;
    try {
      const [snapshots, window] = await Promise.all([
        this.deps.databases.listSnapshots(environment.region, spec.dbInstanceIdentifier, LISTED),
        this.deps.databases.restorableWindow(environment.region, spec.dbInstanceIdentifier),
      ]);
      return { kind: 'listed', environment: environment.name, database: spec.name, instance: spec.dbInstanceIdentifier, window, snapshots };
    } catch (err) {
      if (err instanceof DatabasesError) return { kind: 'error', message: err.message };
      throw err;
    }
  }

  /** Starts a manual snapshot; `notify` hears when it is available (or not). */
  async take(ref: DatabaseRef & { reason: string }, who: Requester): Promise<SnapshotOutcome> {
    const { databases, audit, clock } = this.deps;
    const found = this.lookup(ref);
    if (!found) return { kind: 'error', message: `Unknown database ${ref.database} in ${ref.environment}.` };
    const { environment, spec } = found;
    const facts = { environment: environment.name, service: databaseLockName(spec.name), fromRevision: spec.dbInstanceIdentifier };
    // A snapshot changes nothing, so it is judged as a dry run is: only the requester list applies.
    const decision = decideRequest(environment, who.actor, { allServices: false, database: false, dryRun: true });
    if (!decision.allowed) {
      await audit.record(who.actor, 'rds.create-db-snapshot', 'refused', { ...facts, detail: { why: decision.reason } });
      return { kind: 'refused', message: decision.reason };
    }
    const now = new Date(clock.now());
    const snapshot = manualSnapshotId(spec.dbInstanceIdentifier, now);
    try {
      const source = await this.snapshottable(environment, spec);
      if (!source.ok) {
        await audit.record(who.actor, 'rds.create-db-snapshot', 'refused', { ...facts, detail: { snapshot, why: source.problem } });
        return { kind: 'error', message: source.problem };
      }
      await audit.around(who.actor, 'rds.create-db-snapshot', { ...facts, detail: { snapshot, reason: ref.reason } }, () =>
        databases.createSnapshot(environment.region, source.identifier, snapshot, [{ key: 'rollback-bot:requested-by', value: who.actor }]),
      );
    } catch (err) {
      if (err instanceof DatabasesError) return { kind: 'error', message: err.message };
      throw err;
    }
    const base = { environment: environment.name, database: spec.name, instance: spec.dbInstanceIdentifier, snapshot, requester: who };
    const wait = this.waitUntilAvailable(environment, base, now.getTime())
      .catch((err: unknown) => {
        if (!this.stopping.signal.aborted) this.deps.logger.warn({ err, snapshot }, 'stopped waiting for a manual snapshot');
      })
      .finally(() => this.waits.delete(wait));
    this.waits.add(wait);
    return { kind: 'started', snapshot, instance: spec.dbInstanceIdentifier };
  }

  /** Resolves when every wait started so far has ended (tests). */
  async idle(): Promise<void> {
    while (this.waits.size > 0) await Promise.allSettled([...this.waits]);
  }

  /** Stops waiting; snapshots go on in RDS. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('rollback-bot is stopping'));
    await this.idle();
  }

  private async waitUntilAvailable(environment: EnvironmentSpec, base: Omit<SnapshotReport, 'outcome' | 'status' | 'durationMs'>, startedAt: number): Promise<void> {
    const { databases, clock, logger } = this.deps;
    const deadline = startedAt + environment.tunables.restoreTimeoutMinutes * 60_000;
    let status = 'creating';
    for (;;) {
      await clock.sleep(RESTORE_POLL_MS, this.stopping.signal);
      try {
        status = (await databases.describeSnapshot(environment.region, base.snapshot))?.status ?? 'missing';
      } catch (err) {
        if (!(err instanceof DatabasesError)) throw err;
        logger.warn({ err: err.message, snapshot: base.snapshot }, 'RDS did not answer a snapshot poll; trying again');
      }
      const progress = status === 'missing' ? 'failed' : snapshotProgress(status);
      const outcome = progress === 'waiting' ? (clock.now() >= deadline ? 'timed_out' : null) : progress;
      if (outcome) return this.deps.notify({ ...base, outcome, status, durationMs: clock.now() - startedAt });
    }
  }

  /** The instance to snapshot, or why RDS would refuse it. */
  private async snapshottable(environment: EnvironmentSpec, spec: DatabaseSpec): Promise<{ ok: true; identifier: string } | { ok: false; problem: string }> {
    const source = await this.deps.databases.describeInstance(environment.region, spec.dbInstanceIdentifier);
    if (!source) return { ok: false, problem: `RDS has no DB instance \`${spec.dbInstanceIdentifier}\` in ${environment.region}. Check the config.` };
    const unsupported = unsupportedSource(source);
    if (unsupported) return { ok: false, problem: unsupported };
    if (source.status !== 'available') {
      return { ok: false, problem: `\`${source.identifier}\` is \`${source.status}\`; RDS takes a snapshot only of an \`available\` instance. Try again when it is.` };
    }
    return { ok: true, identifier: source.identifier };
  }

  private lookup(ref: DatabaseRef): { environment: EnvironmentSpec; spec: DatabaseSpec } | null {
    const environment = this.deps.catalog.environments[ref.environment];
    const spec = environment?.databases[ref.database];
    return environment && spec ? { environment, spec } : null;
  }
}
