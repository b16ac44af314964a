import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { describeAlarmWatchContract } from './alarm-watch-contract.js';
import type { StoreHarness } from './harness.js';

const url = process.env.TEST_DATABASE_URL;

// Each database is a schema of its own, named after this run and dropped at the end, as in postgres-store.test.ts.
const run = `rb_alarm_${randomBytes(4).toString('hex')}`;
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
  describe('PostgreSQL leases and alarm episodes', () => {
    it.skip('skipped: set TEST_DATABASE_URL=postgres://user@host:5432/db to run them on PostgreSQL', () => {});
  });
} else {
  beforeAll(() => {
    admin = new pg.Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    for (const schema of schemas) await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
  });

  describeAlarmWatchContract('PostgreSQL', postgres);
}
