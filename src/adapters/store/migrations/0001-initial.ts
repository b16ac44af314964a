import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import type { StoreMigration } from './index.js';

/** Rollbacks, their services, prompts, service locks and the audit log. */
export const initial: StoreMigration = {
  name: '0001_initial',
  async up(db: Kysely<any>, dialect: DialectName) {
    await db.schema
      .createTable('rollbacks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('confirmed_by', 'text')
      .addColumn('approved_by', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('dry_run', 'integer', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('plan', 'text', (c) => c.notNull())
      .addColumn('meta', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema.createIndex('rollbacks_state_created').on('rollbacks').columns(['state', 'created_at']).execute();
    await db.schema.createIndex('rollbacks_environment_created').on('rollbacks').columns(['environment', 'created_at']).execute();
    await db.schema.createIndex('rollbacks_created').on('rollbacks').column('created_at').execute();

    await db.schema
      .createTable('rollback_services')
      .addColumn('rollback_id', 'text', (c) => c.notNull().references('rollbacks.id'))
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('from_task_definition', 'text', (c) => c.notNull())
      .addColumn('to_task_definition', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('detail', 'text')
      .addPrimaryKeyConstraint('rollback_services_pk', ['rollback_id', 'service'])
      .execute();
    // For "recent rollbacks of service X".
    await db.schema.createIndex('rollback_services_service').on('rollback_services').columns(['service', 'rollback_id']).execute();

    await db.schema
      .createTable('prompts')
      .addColumn('rollback_id', 'text', (c) => c.notNull().references('rollbacks.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('message_ts', 'text')
      .addColumn('response_url', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('answer', 'text')
      .addColumn('answered_by', 'text')
      .addColumn('answered_at', 'bigint')
      .addPrimaryKeyConstraint('prompts_pk', ['rollback_id', 'kind'])
      .execute();

    // The primary key is the lock: two rollbacks cannot both insert the same (environment, service).
    await db.schema
      .createTable('service_locks')
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('rollback_id', 'text', (c) => c.notNull().references('rollbacks.id'))
      .addColumn('since', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('service_locks_pk', ['environment', 'service'])
      .execute();
    await db.schema.createIndex('service_locks_rollback').on('service_locks').column('rollback_id').execute();

    // No foreign keys: the log outlives anything it mentions and records refusals for rollbacks never created.
    await db.schema
      .createTable('audit_log')
      .$call((t) =>
        dialect === 'postgres'
          ? t.addColumn('id', 'bigserial', (c) => c.primaryKey())
          : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
      )
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('environment', 'text')
      .addColumn('service', 'text')
      .addColumn('rollback_id', 'text')
      .addColumn('from_revision', 'text')
      .addColumn('to_revision', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('audit_log_rollback').on('audit_log').columns(['rollback_id', 'at', 'id']).execute();
    await db.schema.createIndex('audit_log_environment').on('audit_log').columns(['environment', 'at', 'id']).execute();
    await db.schema
      .createIndex('audit_log_environment_service')
      .on('audit_log')
      .columns(['environment', 'service', 'at', 'id'])
      .execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
  },
};
