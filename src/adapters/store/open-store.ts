import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import pg from 'pg';
import type { DeployLocksPort } from '../../ports/deploy-locks.js';
import type { RollbackStore } from '../../ports/store.js';
import type { Database, DialectName, StoreDatabase } from './database.js';
import { migrateToLatest, type StoreLogger } from './migrate.js';
import type { LeasesPort } from '../../ports/leases.js';
import type { AlarmEpisodesPort } from '../../ports/alarm-episodes.js';
import { SqlAlarmEpisodes } from './sql-alarm-episodes.js';
import { SqlLeases } from './sql-leases.js';
import { SqlDeployLocks } from './sql-deploy-locks.js';
import { SqlRollbackStore } from './sql-rollback-store.js';

/** Where the store keeps its data. */
export interface OpenStoreOptions {
  /** `postgres://…` (or `postgresql://…`) selects PostgreSQL; absent selects SQLite in `dataDir`. */
  databaseUrl?: string;
  /** Directory for `rollback-bot.sqlite`; created if missing. */
  dataDir: string;
  logger?: StoreLogger;
}

/** The SQLite file's name inside the data directory. */
export const SQLITE_FILE_NAME = 'rollback-bot.sqlite';

/** How long a SQLite writer waits for another process's write transaction before giving up. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** Opens the database `options` point at and runs pending migrations. */
export async function openDatabase(options: OpenStoreOptions): Promise<StoreDatabase> {
  const dialect: DialectName = options.databaseUrl ? 'postgres' : 'sqlite';
  const db = new Kysely<Database>({
    dialect: options.databaseUrl ? postgresDialect(options.databaseUrl, options.logger) : sqliteDialect(options.dataDir),
  });
  try {
    await migrateToLatest(db, dialect, options.logger);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect };
}

/** Opens the database, runs pending migrations and returns the rollback store over it. */
export async function openStore(options: OpenStoreOptions): Promise<RollbackStore> {
  return new SqlRollbackStore(await openDatabase(options));
}

/** Every store adapter the engine uses, over one database; closing `store` closes the database for all of them. */
export interface StoreAdapters {
  store: RollbackStore;
  deployLocks: DeployLocksPort;
  /** Named leases, so exactly one replica carries each rollback and watches alarms. */
  leases: LeasesPort;
  /** Alarm episodes, so no restart or replica announces one twice. */
  alarmEpisodes: AlarmEpisodesPort;
}

/** Opens the database once, runs pending migrations and returns each adapter over it. */
export async function openStoreAdapters(options: OpenStoreOptions): Promise<StoreAdapters> {
  const database = await openDatabase(options);
  return {
    store: new SqlRollbackStore(database),
    deployLocks: new SqlDeployLocks(database),
    leases: new SqlLeases(database),
    alarmEpisodes: new SqlAlarmEpisodes(database),
  };
}

function sqliteDialect(dataDir: string): Dialect {
  mkdirSync(dataDir, { recursive: true });
  const database = new BetterSqlite3(join(dataDir, SQLITE_FILE_NAME));
  // WAL lets readers (the CLI, /healthz) run while the bot writes.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.pragma('foreign_keys = ON');
  return new ImmediateSqliteDialect({ database });
}

function postgresDialect(databaseUrl: string, logger: StoreLogger | undefined): Dialect {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('databaseUrl must start with postgres:// or postgresql://');
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, types: { getTypeParser } });
  // An idle client's connection dropping must not crash the process; the pool replaces it.
  pool.on('error', (error) => logger?.warn({ err: error }, 'PostgreSQL idle connection failed'));
  return new PostgresDialect({ pool });
}

// int8 (our epoch-ms columns, bigserial ids, count(*)) arrives as a string by default. Epoch
// milliseconds fit a double exactly, so this pool reads them as numbers; other pools are unaffected.
const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
  oid === pg.types.builtins.INT8 && format !== 'binary'
    ? (value: string) => Number(value)
    : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

/**
 * SQLite transactions that write must start IMMEDIATE: a deferred one that reads first and then
 * writes fails with SQLITE_BUSY, not a wait, when another process (the CLI) wrote in between.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
