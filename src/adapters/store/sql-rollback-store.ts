import { sql, type Updateable } from 'kysely';
import { TERMINAL_ROLLBACK_STATES, isTerminal, type RollbackState } from '../../domain/rollback-state.js';
import type {
  AuditEntry,
  PromptRecord,
  RollbackPatch,
  RollbackRecord,
  RollbackStore,
  ServiceLockHolder,
  ServiceRollbackRecord,
} from '../../ports/store.js';
import type { Database, DialectName, RollbacksTable, StoreDatabase, StoreDb } from './database.js';
import {
  auditToRow,
  parseObject,
  promptToRow,
  rollbackToRow,
  rowToAudit,
  rowToLockHolder,
  rowToPrompt,
  rowToRollback,
  rowToService,
  serviceToRow,
  toMs,
} from './rows.js';
import { hasLostALock, lockRollbackRow, takeServiceLock } from './service-locks.js';

/** Thrown inside `createRollback`'s transaction to roll it back. */
class LockConflict extends Error {
  constructor(readonly heldBy: ServiceLockHolder[]) {
    super('services are held by other rollbacks');
  }
}

/** The rollback store over SQLite or PostgreSQL, through one Kysely query layer. */
export class SqlRollbackStore implements RollbackStore {
  readonly #db: StoreDb;
  readonly #dialect: DialectName;
  #closing: Promise<void> | undefined;

  constructor({ db, dialect }: StoreDatabase) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async createRollback(
    rollback: Omit<RollbackRecord, 'updatedAt' | 'meta'> & { meta?: Record<string, unknown> },
    services: Omit<ServiceRollbackRecord, 'rollbackId'>[],
    now: Date,
  ): Promise<{ ok: true } | { ok: false; heldBy: ServiceLockHolder[] }> {
    try {
      await this.#db.transaction().execute(async (trx) => {
        await trx.insertInto('rollbacks').values(rollbackToRow(rollback, now)).execute();
        if (services.length > 0) {
          await trx.insertInto('rollback_services').values(services.map((s) => serviceToRow(rollback.id, s))).execute();
        }
        const heldBy: ServiceLockHolder[] = [];
        // Sorted, so two rollbacks wanting overlapping services take their locks in one order and cannot deadlock.
        for (const service of services.map((s) => s.service).sort()) {
          const holder = await takeServiceLock(trx, this.#dialect, rollback.environment, service, rollback.id, now.getTime());
          if (holder) heldBy.push(holder);
        }
        if (heldBy.length > 0) throw new LockConflict(heldBy);
      });
      return { ok: true };
    } catch (error) {
      if (error instanceof LockConflict) return { ok: false, heldBy: error.heldBy };
      throw error;
    }
  }

  async getRollback(id: string): Promise<RollbackRecord | null> {
    const row = await this.#db.selectFrom('rollbacks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rowToRollback(row) : null;
  }

  async getServices(rollbackId: string): Promise<ServiceRollbackRecord[]> {
    const rows = await this.#db
      .selectFrom('rollback_services')
      .selectAll()
      .where('rollback_id', '=', rollbackId)
      .orderBy('service')
      .execute();
    return rows.map(rowToService);
  }

  async transition(id: string, from: readonly RollbackState[], to: RollbackState, patch: RollbackPatch, now: Date): Promise<boolean> {
    if (from.length === 0) return false;
    return this.#db.transaction().execute(async (trx) => {
      const current = await lockRollbackRow(
        this.#dialect,
        trx.selectFrom('rollbacks').select(['state', 'environment', 'meta']).where('id', '=', id),
      ).executeTakeFirst();
      if (!current || !from.includes(current.state)) return false;
      // A rollback whose prompt expired may have had its services taken over; it must not go on to run.
      if (!isTerminal(to) && (await hasLostALock(trx, id, current.environment))) return false;
      const set: Updateable<RollbacksTable> = { state: to, updated_at: now.getTime() };
      if (patch.confirmedBy !== undefined) set.confirmed_by = patch.confirmedBy;
      if (patch.approvedBy !== undefined) set.approved_by = patch.approvedBy;
      if (patch.expiresAt !== undefined) set.expires_at = toMs(patch.expiresAt);
      if (patch.startedAt !== undefined) set.started_at = toMs(patch.startedAt);
      if (patch.finishedAt !== undefined) set.finished_at = toMs(patch.finishedAt);
      if (patch.meta !== undefined) set.meta = JSON.stringify({ ...parseObject(current.meta), ...patch.meta });
      const moved = await trx
        .updateTable('rollbacks')
        .set(set)
        .where('id', '=', id)
        .where('state', 'in', from)
        .executeTakeFirst();
      if (moved.numUpdatedRows === 0n) return false;
      if (isTerminal(to)) await trx.deleteFrom('service_locks').where('rollback_id', '=', id).execute();
      return true;
    });
  }

  async mergeMeta(id: string, meta: Record<string, unknown>, now: Date): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const current = await lockRollbackRow(this.#dialect, trx.selectFrom('rollbacks').select('meta').where('id', '=', id)).executeTakeFirst();
      if (!current) throw new Error(`no rollback ${id}`);
      await trx
        .updateTable('rollbacks')
        .set({ meta: JSON.stringify({ ...parseObject(current.meta), ...meta }), updated_at: now.getTime() })
        .where('id', '=', id)
        .execute();
    });
  }

  async updateService(
    rollbackId: string,
    service: string,
    patch: Partial<Pick<ServiceRollbackRecord, 'state' | 'startedAt' | 'finishedAt' | 'detail' | 'toTaskDefinition'>>,
  ): Promise<void> {
    const set: Updateable<Database['rollback_services']> = {};
    if (patch.state !== undefined) set.state = patch.state;
    if (patch.startedAt !== undefined) set.started_at = toMs(patch.startedAt);
    if (patch.finishedAt !== undefined) set.finished_at = toMs(patch.finishedAt);
    if (patch.detail !== undefined) set.detail = patch.detail;
    if (patch.toTaskDefinition !== undefined) set.to_task_definition = patch.toTaskDefinition;
    if (Object.keys(set).length === 0) return;
    const result = await this.#db
      .updateTable('rollback_services')
      .set(set)
      .where('rollback_id', '=', rollbackId)
      .where('service', '=', service)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new Error(`no service ${service} in rollback ${rollbackId}`);
  }

  async listRollbacksInState(states: readonly RollbackState[]): Promise<RollbackRecord[]> {
    if (states.length === 0) return [];
    const rows = await this.#db
      .selectFrom('rollbacks')
      .selectAll()
      .where('state', 'in', states)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(rowToRollback);
  }

  async listRecentRollbacks(filter: { environment?: string; service?: string; limit: number }): Promise<RollbackRecord[]> {
    const { environment, service } = filter;
    const rows = await this.#db
      .selectFrom('rollbacks')
      .selectAll()
      .$if(environment !== undefined, (q) => q.where('environment', '=', environment!))
      .$if(service !== undefined, (q) =>
        q.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('rollback_services')
              .select('rollback_services.service')
              .whereRef('rollback_services.rollback_id', '=', 'rollbacks.id')
              .where('rollback_services.service', '=', service!),
          ),
        ),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map(rowToRollback);
  }

  async listServiceLocks(environment: string): Promise<ServiceLockHolder[]> {
    const rows = await this.#db
      .selectFrom('service_locks as l')
      .innerJoin('rollbacks as r', 'r.id', 'l.rollback_id')
      .select(['l.environment', 'l.service', 'l.rollback_id', 'l.since', 'r.requested_by'])
      .where('l.environment', '=', environment)
      .where('r.state', 'not in', TERMINAL_ROLLBACK_STATES)
      .orderBy('l.service')
      .execute();
    return rows.map(rowToLockHolder);
  }

  async savePrompt(prompt: PromptRecord): Promise<void> {
    const { rollback_id: _id, kind: _kind, ...rest } = promptToRow(prompt);
    await this.#db
      .insertInto('prompts')
      .values(promptToRow(prompt))
      .onConflict((oc) => oc.columns(['rollback_id', 'kind']).doUpdateSet(rest))
      .execute();
  }

  async getPrompt(rollbackId: string, kind: PromptRecord['kind']): Promise<PromptRecord | null> {
    const row = await this.#db
      .selectFrom('prompts')
      .selectAll()
      .where('rollback_id', '=', rollbackId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row ? rowToPrompt(row) : null;
  }

  async answerPrompt(
    rollbackId: string,
    kind: PromptRecord['kind'],
    answer: NonNullable<PromptRecord['answer']>,
    by: string,
    at: Date,
  ): Promise<{ answered: boolean; prompt: PromptRecord | null }> {
    const result = await this.#db
      .updateTable('prompts')
      .set({ answer, answered_by: by, answered_at: at.getTime() })
      .where('rollback_id', '=', rollbackId)
      .where('kind', '=', kind)
      .where('answer', 'is', null)
      .executeTakeFirst();
    return { answered: result.numUpdatedRows > 0n, prompt: await this.getPrompt(rollbackId, kind) };
  }

  async updatePromptMessage(rollbackId: string, kind: PromptRecord['kind'], messageTs: string | null, responseUrl: string | null): Promise<void> {
    const result = await this.#db
      .updateTable('prompts')
      .set({ message_ts: messageTs, response_url: responseUrl })
      .where('rollback_id', '=', rollbackId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new Error(`no ${kind} prompt for rollback ${rollbackId}`);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.#db.insertInto('audit_log').values(auditToRow(entry)).execute();
  }

  async listAudit(filter: { rollbackId?: string; environment?: string; service?: string; limit: number }): Promise<AuditEntry[]> {
    const { rollbackId, environment, service } = filter;
    const rows = await this.#db
      .selectFrom('audit_log')
      .selectAll()
      .$if(rollbackId !== undefined, (q) => q.where('rollback_id', '=', rollbackId!))
      .$if(environment !== undefined, (q) => q.where('environment', '=', environment!))
      .$if(service !== undefined, (q) => q.where('service', '=', service!))
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map(rowToAudit);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db);
  }

  close(): Promise<void> {
    this.#closing ??= this.#db.destroy();
    return this.#closing;
  }
}
