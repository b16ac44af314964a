import type { Selectable } from 'kysely';
import type {
  AuditEntry,
  PromptRecord,
  RollbackRecord,
  ServiceLockHolder,
  ServiceRollbackRecord,
} from '../../ports/store.js';
import type { AuditLogTable, EpochMs, PromptsTable, RollbackServicesTable, RollbacksTable } from './database.js';

/** A `Date` as stored. */
export function toMs(date: Date): EpochMs;
export function toMs(date: Date | null | undefined): EpochMs | null;
export function toMs(date: Date | null | undefined): EpochMs | null {
  return date ? date.getTime() : null;
}

/** A stored time as a `Date`. */
export function toDate(ms: EpochMs): Date;
export function toDate(ms: EpochMs | null): Date | null;
export function toDate(ms: EpochMs | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/** A stored JSON object. */
export function parseObject(json: string): Record<string, unknown> {
  return JSON.parse(json) as Record<string, unknown>;
}

/** The row for a new rollback. */
export function rollbackToRow(
  r: Omit<RollbackRecord, 'updatedAt' | 'meta'> & { meta?: Record<string, unknown> },
  now: Date,
): RollbacksTable {
  return {
    id: r.id,
    environment: r.environment,
    state: r.state,
    requested_by: r.requestedBy,
    confirmed_by: r.confirmedBy,
    approved_by: r.approvedBy,
    reason: r.reason,
    dry_run: r.dryRun ? 1 : 0,
    channel_id: r.channelId,
    plan: JSON.stringify(r.plan),
    meta: JSON.stringify(r.meta ?? {}),
    expires_at: toMs(r.expiresAt),
    created_at: toMs(r.createdAt),
    updated_at: toMs(now),
    started_at: toMs(r.startedAt),
    finished_at: toMs(r.finishedAt),
  };
}

/** A rollback row as the port's record. */
export function rowToRollback(row: Selectable<RollbacksTable>): RollbackRecord {
  return {
    id: row.id,
    environment: row.environment,
    state: row.state,
    requestedBy: row.requested_by,
    confirmedBy: row.confirmed_by,
    approvedBy: row.approved_by,
    reason: row.reason,
    dryRun: row.dry_run === 1,
    channelId: row.channel_id,
    plan: JSON.parse(row.plan) as RollbackRecord['plan'],
    expiresAt: toDate(row.expires_at),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at),
    meta: parseObject(row.meta),
  };
}

/** The row for one service of a new rollback. */
export function serviceToRow(rollbackId: string, s: Omit<ServiceRollbackRecord, 'rollbackId'>): RollbackServicesTable {
  return {
    rollback_id: rollbackId,
    service: s.service,
    state: s.state,
    from_task_definition: s.fromTaskDefinition,
    to_task_definition: s.toTaskDefinition,
    started_at: toMs(s.startedAt),
    finished_at: toMs(s.finishedAt),
    detail: s.detail,
  };
}

/** A rollback service row as the port's record. */
export function rowToService(row: Selectable<RollbackServicesTable>): ServiceRollbackRecord {
  return {
    rollbackId: row.rollback_id,
    service: row.service,
    state: row.state,
    fromTaskDefinition: row.from_task_definition,
    toTaskDefinition: row.to_task_definition,
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at),
    detail: row.detail,
  };
}

/** The row for a prompt. */
export function promptToRow(p: PromptRecord): PromptsTable {
  return {
    rollback_id: p.rollbackId,
    kind: p.kind,
    channel_id: p.channelId,
    message_ts: p.messageTs,
    response_url: p.responseUrl,
    created_at: toMs(p.createdAt),
    expires_at: toMs(p.expiresAt),
    answer: p.answer,
    answered_by: p.answeredBy,
    answered_at: toMs(p.answeredAt),
  };
}

/** A prompt row as the port's record. */
export function rowToPrompt(row: Selectable<PromptsTable>): PromptRecord {
  return {
    rollbackId: row.rollback_id,
    kind: row.kind,
    channelId: row.channel_id,
    messageTs: row.message_ts,
    responseUrl: row.response_url,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    answer: row.answer,
    answeredBy: row.answered_by,
    answeredAt: toDate(row.answered_at),
  };
}

/** The row for an audit entry (its id is assigned by the database). */
export function auditToRow(e: AuditEntry): Omit<AuditLogTable, 'id'> {
  return {
    at: toMs(e.at),
    actor: e.actor,
    action: e.action,
    environment: e.environment,
    service: e.service,
    rollback_id: e.rollbackId,
    from_revision: e.fromRevision,
    to_revision: e.toRevision,
    outcome: e.outcome,
    detail: e.detail === null ? null : JSON.stringify(e.detail),
  };
}

/** An audit row as the port's entry. */
export function rowToAudit(row: Omit<Selectable<AuditLogTable>, 'id'>): AuditEntry {
  return {
    at: toDate(row.at),
    actor: row.actor,
    action: row.action,
    environment: row.environment,
    service: row.service,
    rollbackId: row.rollback_id,
    fromRevision: row.from_revision,
    toRevision: row.to_revision,
    outcome: row.outcome,
    detail: row.detail === null ? null : parseObject(row.detail),
  };
}

/** A lock row joined with its holder, as the port's record. */
export function rowToLockHolder(row: { environment: string; service: string; rollback_id: string; requested_by: string; since: EpochMs }): ServiceLockHolder {
  return {
    environment: row.environment,
    service: row.service,
    rollbackId: row.rollback_id,
    requestedBy: row.requested_by,
    since: toDate(row.since),
  };
}
