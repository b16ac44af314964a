import { migrations } from '../../../src/adapters/store/migrations/index.js';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/adapters/store/open-store.js';
import { aRollback, someServices, T0 } from './fixtures.js';
import { useStores, type StoreHarness } from './harness.js';
import { describeLocksContract } from './locks-contract.js';
import { describeRecordsContract } from './records-contract.js';

const url = process.env.TEST_DATABASE_URL;

// Every database this file opens is a schema of its own, named after this run, dropped at the end,
// so parallel runs against one PostgreSQL never see each other's rows.
const run = `rb_test_${randomBytes(4).toString('hex')}`;
const schemas: string[] = [];
let admin: pg.Pool | undefined;

const postgres: StoreHarness = {
  async freshOptions() {
    if (!admin || !url) throw new Error('TEST_DATABASE_URL is not set');
    const schema = `${run}_${schemas.length + 1}`;
    schemas.push(schema);
    await admin.query(`create schema ${schema}`);
    const databaseUrl = new URL(url);
    databaseUrl.searchParams.set('options', `-c search_path=${schema}`);
    return { databaseUrl: databaseUrl.toString(), dataDir: '/nonexistent' };
  },
};

if (!url) {
  describe('PostgreSQL store', () => {
    it.skip('skipped: set TEST_DATABASE_URL=postgres://user@host:5432/db to run the store contract on PostgreSQL', () => {});
  });
} else {
  beforeAll(() => {
    admin = new pg.Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    for (const schema of schemas) await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
  });

  describeRecordsContract('PostgreSQL', postgres);
  describeLocksContract('PostgreSQL', postgres);

  describe('PostgreSQL: several processes on one database', () => {
    const { open } = useStores(postgres);

    it('migrates once when several stores open a fresh database at the same time', async () => {
      const options = await postgres.freshOptions();
      const opened = await Promise.all(Array.from({ length: 4 }, () => open(options)));
      expect(opened.flatMap((o) => o.logged)).toEqual([expect.stringMatching(/^store migrations applied .*0001_initial/)]);
      const { rows } = await sql<{ name: string }>`select name from store_migrations`.execute(opened[0]!.db);
      expect(rows.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
      await Promise.all(opened.map((o) => o.store.ping()));
    });

    it('lets one of several stores win the same service', async () => {
      const options = await postgres.freshOptions();
      const stores = await Promise.all(Array.from({ length: 3 }, () => open(options)));
      const results = await Promise.all(
        stores.flatMap(({ store }) => [1, 2, 3].map(() => store.createRollback(aRollback('prod', ['api']), someServices(['api']), T0))),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
    });

    it('reads epoch milliseconds back as numbers', async () => {
      const { db, store } = await open();
      const rollback = aRollback('prod', ['api']);
      await store.createRollback(rollback, someServices(['api']), T0);
      const row = await db.selectFrom('rollbacks').select(['created_at', 'expires_at']).executeTakeFirstOrThrow();
      expect(row).toEqual({ created_at: T0.getTime(), expires_at: rollback.expiresAt?.getTime() });
    });

    it('refuses a database URL that is not PostgreSQL', async () => {
      await expect(openStore({ databaseUrl: 'mysql://localhost/x', dataDir: '/nonexistent' })).rejects.toThrow(/postgres:\/\//);
    });
  });
}
