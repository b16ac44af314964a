import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreAdapters, type OpenStoreOptions, type StoreAdapters } from '../../../src/adapters/store/open-store.js';
import type { DeployLock } from '../../../src/ports/deploy-locks.js';

const T0 = Date.UTC(2026, 10, 22, 3, 0, 0);
const pgUrl = process.env.TEST_DATABASE_URL;
const pgSchemas: string[] = [];
let root = '';
let admin: pg.Pool | undefined;
let count = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rb-deploy-locks-'));
  if (pgUrl) admin = new pg.Pool({ connectionString: pgUrl, max: 2 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  for (const schema of pgSchemas) await admin?.query(`drop schema if exists ${schema} cascade`);
  await admin?.end();
});

const dialects: [string, () => Promise<OpenStoreOptions>][] = [['SQLite', async () => ({ dataDir: join(root, `db-${++count}`) })]];
if (pgUrl) {
  dialects.push([
    'PostgreSQL',
    async () => {
      const schema = `rb_locks_${randomBytes(4).toString('hex')}_${++count}`;
      pgSchemas.push(schema);
      await admin!.query(`create schema ${schema}`);
      const url = new URL(pgUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return { databaseUrl: url.toString(), dataDir: '/nonexistent' };
    },
  ]);
}

const lock = (service: string, overrides: Partial<DeployLock> = {}): DeployLock => ({
  environment: 'production',
  service,
  lockedBy: 'U0ALICE',
  reason: 'checkout 500s',
  since: new Date(T0),
  rollbackId: 'rb-202611220300-abcdef',
  ...overrides,
});

describe.each(dialects)('%s: deploy locks', (_label, freshOptions) => {
  async function withStore(test: (adapters: StoreAdapters, options: OpenStoreOptions) => Promise<void>): Promise<void> {
    const options = await freshOptions();
    const adapters = await openStoreAdapters(options);
    try {
      await test(adapters, options);
    } finally {
      await adapters.store.close();
    }
  }

  it('sets, reads, lists by environment and replaces a lock', () =>
    withStore(async ({ deployLocks }) => {
      expect(await deployLocks.get('production', 'api')).toBeNull();
      await deployLocks.lock(lock('worker'));
      await deployLocks.lock(lock('api'));
      await deployLocks.lock(lock('api', { environment: 'staging' }));
      expect(await deployLocks.get('production', 'api')).toEqual(lock('api'));
      expect((await deployLocks.list('production')).map((l) => l.service)).toEqual(['api', 'worker']);

      const byHand = lock('api', { lockedBy: 'cli:bob', reason: '', rollbackId: null, since: new Date(T0 + 60_000) });
      await deployLocks.lock(byHand);
      expect(await deployLocks.get('production', 'api')).toEqual(byHand);
      expect(await deployLocks.list('production')).toHaveLength(2);
    }));

  it('unlocks once: the first caller gets the lock back, the next gets null', () =>
    withStore(async ({ deployLocks }) => {
      await deployLocks.lock(lock('api'));
      const results = await Promise.all([deployLocks.unlock('production', 'api'), deployLocks.unlock('production', 'api')]);
      expect(results.filter((r) => r !== null)).toEqual([lock('api')]);
      expect(await deployLocks.get('production', 'api')).toBeNull();
      expect(await deployLocks.unlock('production', 'api')).toBeNull();
    }));

  it('keeps locks across a reopen of the same database', () =>
    withStore(async ({ deployLocks }, options) => {
      await deployLocks.lock(lock('api'));
      const again = await openStoreAdapters(options);
      try {
        expect(await again.deployLocks.get('production', 'api')).toEqual(lock('api'));
      } finally {
        await again.store.close();
      }
    }));
});
