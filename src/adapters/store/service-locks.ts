import type { SelectQueryBuilder, Transaction } from 'kysely';
import { AWAITING_STATES, isTerminal } from '../../domain/rollback-state.js';
import type { ServiceLockHolder } from '../../ports/store.js';
import type { Database, DialectName, EpochMs } from './database.js';

/** Rounds of "insert the lock, else inspect its holder" before concluding the lock is too contended. */
const MAX_LOCK_ATTEMPTS = 5;

/**
 * Takes the (environment, service) lock for `rollbackId`, taking it over from a finished or
 * expired holder; returns the holder when it is live. The primary key decides races: an insert
 * either lands or finds a row, and a takeover only lands if the holder is still the one inspected.
 */
export async function takeServiceLock(
  trx: Transaction<Database>,
  dialect: DialectName,
  environment: string,
  service: string,
  rollbackId: string,
  nowMs: EpochMs,
): Promise<ServiceLockHolder | null> {
  const key = <O>(q: SelectQueryBuilder<Database, 'service_locks', O>) =>
    q.where('environment', '=', environment).where('service', '=', service);
  for (let attempt = 0; attempt < MAX_LOCK_ATTEMPTS; attempt++) {
    const inserted = await trx
      .insertInto('service_locks')
      .values({ environment, service, rollback_id: rollbackId, since: nowMs })
      .onConflict((oc) => oc.columns(['environment', 'service']).doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows === 1n) return null;

    const seen = await key(trx.selectFrom('service_locks').select('rollback_id')).executeTakeFirst();
    if (!seen) continue;
    // Lock the holder's row before judging it, as `transition` does, so a holder being confirmed
    // right now is judged after its move (rollback row before lock row in both, so no deadlock).
    const holder = await lockRollbackRow(
      dialect,
      trx.selectFrom('rollbacks').select(['state', 'expires_at', 'requested_by']).where('id', '=', seen.rollback_id),
    ).executeTakeFirst();
    const lock = await key(trx.selectFrom('service_locks').select(['rollback_id', 'since'])).executeTakeFirst();
    if (!holder || lock?.rollback_id !== seen.rollback_id) continue;

    const stale =
      isTerminal(holder.state) ||
      (AWAITING_STATES.includes(holder.state) && holder.expires_at !== null && holder.expires_at < nowMs);
    if (!stale) {
      return { environment, service, rollbackId: lock.rollback_id, requestedBy: holder.requested_by, since: new Date(lock.since) };
    }
    const taken = await trx
      .updateTable('service_locks')
      .set({ rollback_id: rollbackId, since: nowMs })
      .where('environment', '=', environment)
      .where('service', '=', service)
      .where('rollback_id', '=', lock.rollback_id)
      .executeTakeFirst();
    if (taken.numUpdatedRows === 1n) return null;
  }
  throw new Error(`the lock on ${environment}/${service} kept changing hands; try again`);
}

/** Whether any of the rollback's services is no longer locked by it (its prompt expired and another rollback took over). */
export async function hasLostALock(trx: Transaction<Database>, rollbackId: string, environment: string): Promise<boolean> {
  const lost = await trx
    .selectFrom('rollback_services as s')
    .leftJoin('service_locks as l', (join) => join.onRef('l.service', '=', 's.service').on('l.environment', '=', environment))
    .select('s.service')
    .where('s.rollback_id', '=', rollbackId)
    .where((eb) => eb.or([eb('l.rollback_id', 'is', null), eb('l.rollback_id', '<>', rollbackId)]))
    .executeTakeFirst();
  return lost !== undefined;
}

/**
 * Row-locks the rollback `query` reads until the transaction ends, so concurrent transitions and
 * takeovers of one rollback queue up. SQLite needs nothing: its write transactions are serialised.
 */
export function lockRollbackRow<O>(
  dialect: DialectName,
  query: SelectQueryBuilder<Database, 'rollbacks', O>,
): SelectQueryBuilder<Database, 'rollbacks', O> {
  return dialect === 'postgres' ? query.forNoKeyUpdate() : query;
}
