import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import type { StoreDatabase } from '../../../src/adapters/store/database.js';
import type { StoreLogger } from '../../../src/adapters/store/migrate.js';
import { openDatabase, type OpenStoreOptions } from '../../../src/adapters/store/open-store.js';
import { SqlRollbackStore } from '../../../src/adapters/store/sql-rollback-store.js';

/** Gives the contract suites empty databases of one dialect. */
export interface StoreHarness {
  /** Options for a new, empty database; passing them to `open` again reopens the same one. */
  freshOptions(): Promise<OpenStoreOptions>;
}

/** A store together with the database under it, for tests that must look beneath the port. */
export interface OpenedStore extends StoreDatabase {
  store: SqlRollbackStore;
  /** Messages logged while opening (migrations applied). */
  logged: string[];
}

/** Opens stores for one test and closes them all after it. */
export function useStores(harness: StoreHarness): {
  open(options?: OpenStoreOptions): Promise<OpenedStore>;
} {
  const opened: SqlRollbackStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  return {
    async open(options) {
      const logged: string[] = [];
      const logger: StoreLogger = {
        info: (fields, message) => logged.push(`${message} ${JSON.stringify(fields)}`),
        warn: (fields, message) => logged.push(`${message} ${JSON.stringify(fields)}`),
      };
      const database = await openDatabase({ ...(options ?? (await harness.freshOptions())), logger });
      const store = new SqlRollbackStore(database);
      opened.push(store);
      return { ...database, store, logged };
    },
  };
}

/**
 * Declares `body`'s suites on the PostgreSQL at TEST_DATABASE_URL; without it they are skipped, and the run says why.
 * Each fresh database is a schema of its own, named `<prefix>_<run>_<n>` and dropped after the file, so parallel runs
 * against one server never see each other's rows.
 */
export function describeOnPostgres(title: string, prefix: string, body: (postgres: StoreHarness) => void): void {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) console.warn(`${title}: skipped, set TEST_DATABASE_URL=postgres://user@host:5432/db to run it on PostgreSQL (CI does)`);
  const run = `${prefix}_${randomBytes(4).toString('hex')}`;
  const schemas: string[] = [];
  let admin: pg.Pool | undefined;
  describe.skipIf(!url)(title, () => {
    afterAll(async () => {
      for (const schema of schemas) await admin?.query(`drop schema if exists ${schema} cascade`);
      await admin?.end();
    });
    body({
      async freshOptions() {
        admin ??= new pg.Pool({ connectionString: url, max: 2 });
      const schema = `${run}_${schemas.length + 1}`;
      schemas.push(schema);
      await admin.query(`create schema ${schema}`);
      const databaseUrl = new URL(url!);
      databaseUrl.searchParams.set('options', `-c search_path=${schema}`);
      return { databaseUrl: databaseUrl.toString(), dataDir: '/nonexistent' };
      },
    });
  });
}

/** Empty SQLite databases, each a directory under one temporary directory that is removed after the file. */
export function sqliteHarness(prefix: string): StoreHarness & {
  /** A path inside the temporary directory, for tests that choose their own data directory. */
  path(...segments: string[]): string;
} {
  let root = '';
  let databases = 0;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `${prefix}-`));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  return {
    freshOptions: async () => ({ dataDir: join(root, `db-${++databases}`) }),
    path: (...segments) => join(root, ...segments),
  };
}
