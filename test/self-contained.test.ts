import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { specPath, specsDir } from './specs/specs.js';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..');
// Built from parts so that this file does not match its own search.
const OUTSIDE = new RegExp(['\\.\\./', 'shared'].join('') + '|' + ['shared', 'specs'].join('/'));

/** Every file of the checkout a clone would have: tracked, plus new ones not ignored. */
async function checkoutFiles(): Promise<string[]> {
  const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, maxBuffer: 16 << 20 });
  return stdout.split('\0').filter((f) => f.length > 0);
}

/** `git hash-object` of a file: the blob id SOURCES.md records for each saved specification. */
function gitBlobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

describe('a clone with nothing beside it', () => {
  const cleanup: string[] = [];
  afterAll(async () => {
    for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  });

  it('has no file under src, test or scripts that reads outside the repo', async () => {
    const files = (await checkoutFiles()).filter((f) => /^(src|test|scripts)\//.test(f) && /\.(ts|js|mjs|json|ya?ml)$/.test(f) && !f.startsWith('test/specs/'));
    expect(files.length).toBeGreaterThan(100);
    const offenders: string[] = [];
    for (const file of files) {
      if (OUTSIDE.test(await readFile(path.join(repoRoot, file), 'utf8'))) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });

  it('holds each specification exactly as SOURCES.md records it', async () => {
    const sources = await readFile(path.join(specsDir, 'SOURCES.md'), 'utf8');
    const rows = [...sources.matchAll(/^\| ([a-z]+\/[\w.-]+\.json) \|.*\| ([0-9a-f]{40})[^|]*\| [^|]+\|$/gm)];
    expect(rows.map((r) => r[1]).sort()).toEqual([
      'aws/cloudwatch-2010-08-01.json',
      'aws/ecs-2014-11-13.json',
      'aws/rds-2014-10-31.json',
      'pagerduty/events-v2-openapiv3.json',
      'pagerduty/rest-openapiv3.json',
      'slack/manifest.schema.1.0.0.json',
      'slack/manifest.schema.2.0.0.json',
      'slack/manifest.schema.json',
      'slack/slack-block-kit.schema.json',
      'slack/slack_web_openapi_v2.json',
    ]);
    for (const [, file, blob] of rows) expect(gitBlobId(await readFile(specPath(file!))), file).toBe(blob);
  });

  it('runs fake-backed tests in a copy of the checkout alone in an empty folder', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'rollback-bot-clone-'));
    cleanup.push(parent);
    const clone = path.join(parent, 'rollback-bot');
    await mkdir(clone);
    for (const file of await checkoutFiles()) {
      await mkdir(path.dirname(path.join(clone, file)), { recursive: true });
      await cp(path.join(repoRoot, file), path.join(clone, file));
    }
    // The dependencies are what `npm ci` would install; linking them spares a second install.
    await symlink(path.join(repoRoot, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
    const tests = ['test/fakes/ecs/fake-ecs.test.ts', 'test/fakes/pagerduty/fake-pagerduty.test.ts', 'test/manifest.test.ts'];
    const { stdout } = await run(process.execPath, [vitest, 'run', ...tests, '--reporter=json'], { cwd: clone, maxBuffer: 64 << 20, env: { ...process.env, CI: 'true' } });
    const report = JSON.parse(stdout) as { numFailedTests: number; numPassedTests: number; numTotalTestSuites: number; success: boolean };
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBeGreaterThan(10);
    expect(report.success).toBe(true);
  }, 120_000);
});
