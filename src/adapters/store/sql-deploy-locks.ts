import type { Selectable } from 'kysely';
import type { DeployLock, DeployLocksPort } from '../../ports/deploy-locks.js';
import type { DeployLocksTable, StoreDatabase, StoreDb } from './database.js';

/** Deploy freezes in the `deploy_locks` table, over the same database as the rollback store. */
export class SqlDeployLocks implements DeployLocksPort {
  readonly #db: StoreDb;

  constructor({ db }: StoreDatabase) {
    this.#db = db;
  }

  async get(environment: string, service: string): Promise<DeployLock | null> {
    const row = await this.#db
      .selectFrom('deploy_locks')
      .selectAll()
      .where('environment', '=', environment)
      .where('service', '=', service)
      .executeTakeFirst();
    return row ? rowToLock(row) : null;
  }

  async list(environment: string): Promise<DeployLock[]> {
    const rows = await this.#db.selectFrom('deploy_locks').selectAll().where('environment', '=', environment).orderBy('service').execute();
    return rows.map(rowToLock);
  }

  async lock(lock: DeployLock): Promise<void> {
    const row = { locked_by: lock.lockedBy, reason: lock.reason, since: lock.since.getTime(), rollback_id: lock.rollbackId };
    await this.#db
      .insertInto('deploy_locks')
      .values({ environment: lock.environment, service: lock.service, ...row })
      .onConflict((oc) => oc.columns(['environment', 'service']).doUpdateSet(row))
      .execute();
  }

  async unlock(environment: string, service: string): Promise<DeployLock | null> {
    // One statement, so of two concurrent unlocks exactly one gets the lock back.
    const row = await this.#db
      .deleteFrom('deploy_locks')
      .where('environment', '=', environment)
      .where('service', '=', service)
      .returningAll()
      .executeTakeFirst();
    return row ? rowToLock(row) : null;
  }
}

function rowToLock(row: Selectable<DeployLocksTable>): DeployLock {
  return {
    environment: row.environment,
    service: row.service,
    lockedBy: row.locked_by,
    reason: row.reason,
    since: new Date(row.since),
    rollbackId: row.rollback_id,
  };
}
