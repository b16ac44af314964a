import type { Catalog, DatabaseSpec, EnvironmentSpec } from '../domain/catalog.js';
import type { Command } from '../domain/command.js';
import {
  checkRestoreWindow,
  databaseLockName,
  describeSettings,
  formatUtc,
  parseRestoreTarget,
  preRestoreSnapshotId,
  restoredInstanceId,
  settingsToCopy,
  unsupportedSource,
  type DatabaseRestorePlan,
  type RestoreTarget,
} from '../domain/database-restore.js';
import { UserFacingError } from '../domain/errors.js';
import type { RollbackPlan } from '../domain/plan.js';
import { decideRequest } from '../domain/policy.js';
import type { Clock } from '../ports/clock.js';
import { DatabasesError, type DatabasesPort } from '../ports/databases.js';
import type { RollbackRecord, RollbackStore, ServiceLockHolder } from '../ports/store.js';
import type { AuditTrail } from './audit-trail.js';
import { newRollbackId, type Requester } from './request-rollback.js';

/** What became of a database rollback request. */
export type DatabaseRequestOutcome =
  | { kind: 'refused'; message: string }
  | { kind: 'error'; message: string }
  | { kind: 'locked'; heldBy: ServiceLockHolder[] }
  | { kind: 'awaiting-confirmation'; rollback: RollbackRecord; needsSecondApproval: boolean };

/**
 * Turns an understood `/rollback db …` into a checked plan (the source exists, is a plain RDS instance and is
 * available; the time lies in its restorable window, or the snapshot is its own and available; the new
 * instance's name is free) and a rollback waiting for the requester's confirmation, then a second person's approval.
 */
export class DatabaseRestoreRequester {
  constructor(
    private readonly deps: {
      catalog: Catalog;
      databases: DatabasesPort;
      store: RollbackStore;
      audit: AuditTrail;
      clock: Clock;
    },
  ) {}

  /** Handles one request; expected failures come back as values, never thrown. */
  async request(command: Extract<Command, { kind: 'db' }>, who: Requester): Promise<DatabaseRequestOutcome> {
    const { catalog, store, audit, clock } = this.deps;
    const environment = catalog.environments[command.environment];
    const spec = environment?.databases[command.database];
    if (!environment || !spec) return { kind: 'error', message: `Unknown database ${command.database} in ${command.environment}.` };
    const service = databaseLockName(spec.name);
    const facts = { environment: environment.name, service, fromRevision: spec.dbInstanceIdentifier, detail: { target: command.target, reason: command.reason } };

    // Databases always need the requester's confirmation and a second person's approval, whatever `protected` says.
    const decision = decideRequest(environment, who.actor, { allServices: false, database: true, dryRun: false });
    if (!decision.allowed) {
      await audit.record(who.actor, 'rollback.request', 'refused', { ...facts, detail: { ...facts.detail, why: decision.reason } });
      return { kind: 'refused', message: decision.reason };
    }
    const target = parseRestoreTarget(command.target);
    if (!target) return { kind: 'error', message: `\`${command.target}\` is neither a time nor \`snapshot:<id>\`.` };

    const now = new Date(clock.now());
    const id = newRollbackId(now);
    let database: DatabaseRestorePlan;
    try {
      database = await this.plan(environment, spec, target, now, id);
    } catch (err) {
      if (!(err instanceof UserFacingError)) throw err;
      await audit.record(who.actor, 'rollback.plan', 'error', { ...facts, detail: { ...facts.detail, error: err.message } });
      return { kind: 'error', message: err.message };
    }
    const plan: RollbackPlan = { environment: environment.name, region: environment.region, cluster: environment.cluster, allServices: false, services: [], database };
    const created = await store.createRollback(
      {
        id,
        environment: environment.name,
        state: 'awaiting_confirmation',
        requestedBy: who.actor,
        confirmedBy: null,
        approvedBy: null,
        reason: command.reason,
        dryRun: false,
        channelId: who.channelId,
        plan,
        expiresAt: new Date(now.getTime() + environment.tunables.promptExpiryMinutes * 60_000),
        createdAt: now,
        startedAt: null,
        finishedAt: null,
        meta: { needsSecondApproval: true, ...(who.responseUrl ? { responseUrl: who.responseUrl } : {}) },
      },
      [{ service, state: 'pending', fromTaskDefinition: database.sourceInstance, toTaskDefinition: database.targetInstance, startedAt: null, finishedAt: null, detail: null }],
      now,
    );
    if (!created.ok) {
      await audit.record(who.actor, 'rollback.request', 'refused', { ...facts, detail: { ...facts.detail, lockedBy: created.heldBy.map((h) => h.rollbackId) } });
      return { kind: 'locked', heldBy: created.heldBy };
    }
    await audit.record(who.actor, 'rollback.requested', 'ok', { ...facts, rollbackId: id, toRevision: database.targetInstance, detail: { ...facts.detail, plan: summarizeRestore(database) } });
    return { kind: 'awaiting-confirmation', rollback: (await store.getRollback(id))!, needsSecondApproval: true };
  }

  private async plan(environment: EnvironmentSpec, spec: DatabaseSpec, target: RestoreTarget, now: Date, rollbackId: string): Promise<DatabaseRestorePlan> {
    const { databases } = this.deps;
    const region = environment.region;
    const source = await call(() => databases.describeInstance(region, spec.dbInstanceIdentifier));
    if (!source) {
      throw new UserFacingError('database_not_found', `RDS has no DB instance \`${spec.dbInstanceIdentifier}\` in ${region}. Check the config (Aurora clusters are not supported yet).`);
    }
    const unsupported = unsupportedSource(source);
    if (unsupported) throw new UserFacingError('aurora_not_supported', unsupported);
    if (source.status !== 'available') {
      throw new UserFacingError('database_not_available', `\`${source.identifier}\` is \`${source.status}\`: the snapshot taken before every restore needs it \`available\`. Try again when it is.`);
    }

    let restoreTarget: DatabaseRestorePlan['target'];
    if (target.kind === 'time') {
      const window = await call(() => databases.restorableWindow(region, source.identifier));
      const latest = source.latestRestorableTime ?? window?.latest ?? null;
      const check = checkRestoreWindow(target.at, { earliest: window?.earliest ?? null, latest }, now);
      if (!check.ok) throw new UserFacingError('outside_restore_window', check.problem);
      restoreTarget = { kind: 'time', restoreTime: target.at.toISOString(), earliest: window!.earliest.toISOString(), latest: latest!.toISOString() };
    } else {
      const snapshot = await call(() => databases.describeSnapshot(region, target.snapshotId));
      if (!snapshot) throw new UserFacingError('snapshot_not_found', `RDS has no snapshot \`${target.snapshotId}\`. List them with \`/rollback db ${environment.name} ${spec.name} snapshots\`.`);
      if (snapshot.instanceIdentifier.toLowerCase() !== source.identifier.toLowerCase()) {
        throw new UserFacingError('snapshot_of_another_instance', `Snapshot \`${target.snapshotId}\` is of \`${snapshot.instanceIdentifier}\`, not of \`${source.identifier}\`.`);
      }
      if (snapshot.status !== 'available') {
        throw new UserFacingError('snapshot_not_available', `Snapshot \`${target.snapshotId}\` is \`${snapshot.status}\`; only an \`available\` snapshot can be restored.`);
      }
      restoreTarget = { kind: 'snapshot', snapshotId: snapshot.identifier, snapshotCreatedAt: snapshot.createdAt?.toISOString() ?? null };
    }

    const targetInstance = restoredInstanceId(source.identifier, now);
    if (await call(() => databases.describeInstance(region, targetInstance))) {
      throw new UserFacingError('target_exists', `An instance named \`${targetInstance}\` already exists (a restore earlier this minute?). Try again in a minute.`);
    }
    return {
      database: spec.name,
      sourceInstance: source.identifier,
      engine: source.engine,
      engineVersion: source.engineVersion,
      target: restoreTarget,
      targetInstance,
      preRestoreSnapshot: preRestoreSnapshotId(source.identifier, rollbackId),
      settings: settingsToCopy(source),
    };
  }
}

/** The restore in one line, for the audit log. */
export function summarizeRestore(plan: DatabaseRestorePlan): string {
  const from = plan.target.kind === 'time' ? `as of ${formatUtc(new Date(plan.target.restoreTime))}` : `from snapshot ${plan.target.snapshotId}`;
  return `${plan.sourceInstance} -> new instance ${plan.targetInstance} ${from}, after snapshot ${plan.preRestoreSnapshot}; copies ${describeSettings(plan.settings)}`;
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DatabasesError) throw new UserFacingError(`rds_${err.code}`, err.message, { cause: err });
    throw err;
  }
}
