import { sql, type Kysely } from 'kysely';
import type { DialectName } from './database.js';
import { migrations } from './migrations/index.js';

/** What the store logs; pino's logger fits. */
export interface StoreLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** PostgreSQL advisory lock key serialising migrations across processes ("rollback" in ASCII). */
const MIGRATION_LOCK_KEY = 8245928655501484907n;

/**
 * Applies every migration this build knows and the database has not recorded, oldest first, in one
 * transaction. Concurrent callers wait for each other: on PostgreSQL behind an advisory lock taken
 * before anything else (so no two processes race to create even the bookkeeping table), on SQLite
 * behind the IMMEDIATE transaction's write lock; the second finds nothing left to do.
 *
 * Kysely's own Migrator is not used: on PostgreSQL it introspects every schema of the database at
 * each step, which fails whenever some other schema is dropped meanwhile (parallel test runs do this).
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, dialect: DialectName, logger?: StoreLogger): Promise<void> {
  const applied = await db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(trx);
    await trx.schema
      .createTable('store_migrations')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .execute();
    const { rows } = await sql<{ name: string }>`select name from store_migrations`.execute(trx);
    const done = new Set(rows.map((r) => r.name));
    const unknown = [...done].filter((name) => !migrations.some((m) => m.name === name));
    // An older build (the bot rolled back) keeps working on a newer schema, as migrations only add.
    if (unknown.length > 0) logger?.warn({ migrations: unknown }, 'database has migrations this build does not know');

    const pending = migrations.filter((m) => !done.has(m.name));
    for (const migration of pending) {
      try {
        await migration.up(trx, dialect);
      } catch (error) {
        throw new Error(`store migration ${migration.name} failed`, { cause: error });
      }
      await sql`insert into store_migrations (name, applied_at) values (${migration.name}, ${Date.now()})`.execute(trx);
    }
    return pending.map((m) => m.name);
  });
  if (applied.length > 0) logger?.info({ migrations: applied }, 'store migrations applied');
}
