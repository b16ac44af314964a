import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { describeAlarmWatchContract } from './alarm-watch-contract.js';
import type { StoreHarness } from './harness.js';

let root = '';
let databases = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rollback-bot-alarm-watch-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const sqlite: StoreHarness = {
  freshOptions: async () => ({ dataDir: join(root, `db-${++databases}`) }),
};

describeAlarmWatchContract('SQLite', sqlite);
