import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tallyRun, totalOf, type VitestReport } from '../../scripts/ci/tally.js';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..');

const EMPTY_REPORT: VitestReport = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, testResults: [] };
const CLEAN_REPORT: VitestReport = {
  ...EMPTY_REPORT,
  numPassedTests: 3,
  testResults: [{ name: '/repo/test/a.test.ts', status: 'passed', message: '', assertionResults: [{ status: 'passed' }, { status: 'passed' }, { status: 'passed' }] }],
};

describe('the CI tally, from the report of a real vitest run', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('counts a file that throws at import as failed, beside failed and skipped tests', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rb-ci-tally-'));
    dirs.push(dir);
    await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await writeFile(path.join(dir, 'passes.test.ts'), "import { expect, it } from 'vitest';\nit('adds', () => expect(1 + 1).toBe(2));\nit.runIf(false)('runs only where asked', () => {});\n");
    await writeFile(path.join(dir, 'fails.test.ts'), "import { expect, it } from 'vitest';\nit('compares', () => expect(1).toBe(2));\n");
    await writeFile(path.join(dir, 'throws.test.ts'), "import { it } from 'vitest';\nthrow new Error('boom at import');\nit('never runs', () => {});\n");
    const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
    const exitCode = await run(process.execPath, [vitest, 'run', '--reporter=json', '--outputFile.json=report.json'], { cwd: dir, env: { ...process.env, CI: 'true' } }).then(
      () => 0,
      (err: { code?: number }) => err.code ?? -1,
    );
    const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as VitestReport;

    const tally = tallyRun({ label: 'node 24.0.0', exitCode, output: '', report, root: dir });

    expect(exitCode).toBe(1);
    expect(tally.lines).toEqual(['node 24.0.0: 1 test file failed outside any test: throws.test.ts (boom at import)', 'node 24.0.0: 1 passed, 2 failed, 1 skipped']);
    expect(tally).toMatchObject({ passed: 1, failed: 2, skipped: 1 });
  }, 60_000);
});

describe('the CI tally when vitest did not report', () => {
  it('names the first type error and counts the type-check as one failed', () => {
    const output = '\x1b[96msrc/a.ts\x1b[0m(3,7): error TS2322: Type \'string\' is not assignable to type \'number\'.\nsrc/b.ts(1,1): error TS2304: Cannot find name \'x\'.\n';
    const tally = tallyRun({ label: 'node 20.19.0', exitCode: 2, output, report: undefined, root: '/repo' });
    expect(tally.lines).toEqual([
      "node 20.19.0: type-check failed with 2 errors, first: src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.; no test ran",
      'node 20.19.0: 0 passed, 1 failed, 0 skipped',
    ]);
  });

  it('says when npm test stopped before vitest wrote its report for another reason', () => {
    const tally = tallyRun({ label: 'node 20.19.0', exitCode: 1, output: 'failed to load config from vitest.config.ts\n', report: undefined, root: '/repo' });
    expect(tally.lines[0]).toBe('node 20.19.0: npm test exited 1 before vitest wrote its report (see its output above); no test ran');
    expect(tally.failed).toBe(1);
  });

  it('counts an error outside any test as failed when every test passed', () => {
    const tally = tallyRun({ label: 'node 24.0.0', exitCode: 1, output: '', report: CLEAN_REPORT, root: '/repo' });
    expect(tally.lines).toEqual(['node 24.0.0: npm test exited 1 though no test failed: an error outside any test (see "Unhandled Errors" above)', 'node 24.0.0: 3 passed, 1 failed, 0 skipped']);
  });

  it('fails a run that ran no test', () => {
    expect(tallyRun({ label: 'node 24.0.0', exitCode: 0, output: '', report: EMPTY_REPORT, root: '/repo' }).lines).toEqual(['node 24.0.0: vitest ran no test', 'node 24.0.0: 0 passed, 1 failed, 0 skipped']);
  });

  it('passes a clean run and adds runs up', () => {
    const clean = tallyRun({ label: 'node 24.0.0', exitCode: 0, output: '', report: { ...CLEAN_REPORT, numPendingTests: 1, numTodoTests: 1 }, root: '/repo' });
    expect(clean.lines).toEqual(['node 24.0.0: 3 passed, 0 failed, 2 skipped']);
    expect(totalOf('ci', [clean, { passed: 1, failed: 1, skipped: 0 }]).lines).toEqual(['ci: 4 passed, 1 failed, 2 skipped']);
  });
});
