import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { SQLITE_FILE_NAME } from '../../src/adapters/store/open-store.js';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
// Root may write anywhere, so as root the engine runs as `nobody`, the way the image runs as a user of its own
// over a /data that root owns; as anyone else it runs as that user over a folder without write permission.
const asRoot = process.getuid?.() === 0;
const botUid = asRoot ? 65534 : process.getuid!();

const CONFIG = `
incidentsChannel: C0INCIDENTS
environments:
  staging:
    region: us-east-1
    cluster: shieldai-staging
    protected: false
    services:
      api: { ecsService: shieldai-staging-api }
`;

let dir: string;
afterEach(async () => {
  await chmod(path.join(dir, 'data'), 0o755);
  await rm(dir, { recursive: true, force: true });
});

/** A folder the bot's user may read, holding the config and an empty `data/`. */
async function fixture(): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), 'rb-data-dir-'));
  await chmod(dir, 0o755);
  await writeFile(path.join(dir, 'rollback.config.yaml'), CONFIG, { mode: 0o644 });
  const data = path.join(dir, 'data');
  await mkdir(data, { mode: 0o755 });
  return data;
}

async function openEngine(dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env['PATH'] ?? '',
    SLACK_BOT_TOKEN: 'xoxb-data-dir-test',
    SLACK_SIGNING_SECRET: 'data-dir-test',
    ROLLBACK_CONFIG: path.join(dir, 'rollback.config.yaml'),
    DATA_DIR: dataDir,
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'silent',
  };
  return run(process.execPath, ['--import', 'tsx', 'test/support/open-engine-as.ts', String(botUid)], { cwd: repoRoot, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

it('refuses a DATA_DIR the bot user cannot write with one line naming it, the uid and the fix (exit 2)', async () => {
  const data = await fixture();
  if (!asRoot) await chmod(data, 0o555);

  const result = await openEngine(data);

  expect(result.code).toBe(2);
  expect(result.stderr).toBe(
    `rollback-bot: DATA_DIR ${data}: the folder is not writable by uid ${botUid}, the user the bot runs as (EACCES); ` +
      `fix: chown -R ${botUid} ${data} or mount a volume uid ${botUid} owns, or set DATABASE_URL\n`,
  );
}, 30_000);

it('refuses an SQLite file in DATA_DIR that the bot user cannot write, naming the file', async () => {
  const data = await fixture();
  const file = path.join(data, SQLITE_FILE_NAME);
  await writeFile(file, '', { mode: 0o644 });
  if (asRoot) await chown(data, botUid, botUid);
  else await chmod(file, 0o444);

  const result = await openEngine(data);

  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`rollback-bot: DATA_DIR ${data}: ${file} is not writable by uid ${botUid}, the user the bot runs as (EACCES)`);
  expect(result.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
}, 30_000);
