import { migrations } from '../../../src/adapters/store/migrations/index.js';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/adapters/store/open-store.js';
import { aRollback, someServices, T0 } from './fixtures.js';
import { describeOnPostgres, useStores } from './harness.js';
import { describeLocksContract } from './locks-contract.js';
import { describeRecordsContract } from './records-contract.js';

describeOnPostgres('PostgreSQL store', 'rb_test', (postgres) => {
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
});
