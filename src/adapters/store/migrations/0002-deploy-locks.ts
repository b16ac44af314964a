import type { Kysely } from 'kysely';
import type { StoreMigration } from './index.js';

/** Deploy freezes: one row per locked service, set by a completed rollback or by hand. */
export const deployLocks: StoreMigration = {
  name: '0002_deploy_locks',
  async up(db: Kysely<any>) {
    // No foreign key to rollbacks: a lock set by hand names none, and a lock must outlive any cleanup of old rollbacks.
    await db.schema
      .createTable('deploy_locks')
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('locked_by', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .addColumn('rollback_id', 'text')
      .addPrimaryKeyConstraint('deploy_locks_pk', ['environment', 'service'])
      .execute();
  },
};
