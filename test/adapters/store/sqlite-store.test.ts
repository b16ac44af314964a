import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore, SQLITE_FILE_NAME } from '../../../src/adapters/store/open-store.js';
import { aRollback, someServices, T0 } from './fixtures.js';
import { sqliteHarness, useStores } from './harness.js';
import { describeLocksContract } from './locks-contract.js';
import { describeRecordsContract } from './records-contract.js';

const sqlite = sqliteHarness('rollback-bot-store');

describeRecordsContract('SQLite', sqlite);
describeLocksContract('SQLite', sqlite);

describe('SQLite: the file', () => {
  const { open } = useStores(sqlite);

  it('creates a missing data directory and keeps the database in WAL mode there', async () => {
    const dataDir = sqlite.path('nested', 'does', 'not', 'exist');
    const { db } = await open({ dataDir });
    expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(true);
    const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
    expect(rows[0]?.journal_mode).toBe('wal');
    const { rows: timeout } = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db);
    expect(timeout[0]?.timeout).toBeGreaterThan(0);
  });

  it("is opened by openStore, and a second store on the same file sees the first one's locks", async () => {
    const dataDir = sqlite.path('shared');
    const writer = await openStore({ dataDir });
    const reader = await openStore({ dataDir });
    try {
      const rollback = aRollback('prod', ['api']);
      expect(await writer.createRollback(rollback, someServices(['api']), T0)).toEqual({ ok: true });
      expect(await reader.createRollback(aRollback('prod', ['api']), someServices(['api']), T0)).toMatchObject({
        ok: false,
        heldBy: [{ rollbackId: rollback.id }],
      });
    } finally {
      await writer.close();
      await reader.close();
    }
  });
});
