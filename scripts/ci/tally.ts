import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';

/** The parts of vitest's JSON report (`--reporter=json`) that the tally reads. */
export interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { name: string; status: string; message: string; assertionResults: { status: string }[] }[];
}

/** One `npm test` run as CI saw it: its exit code, its output, and vitest's report if vitest wrote one. */
export interface TestRun {
  /** Names the run in every line, e.g. `node 24.22.3`. */
  label: string;
  exitCode: number;
  output: string;
  report: VitestReport | undefined;
  /** Folder the report's absolute file names are shown relative to. */
  root: string;
}

/** A run's counts, and the lines that say them. */
export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  lines: string[];
}

/**
 * Counts a run from vitest's own report. Every failure that is not a test (the type-check, a test file that
 * failed to load or whose hooks failed, an error vitest raised outside any test) gets a line of its own and
 * counts as one failed, so a run that did not fully happen never reads as "0 failed".
 */
export function tallyRun(run: TestRun): Tally {
  const { label } = run;
  const output = stripVTControlCharacters(run.output);
  if (!run.report) {
    const typeErrors = output.split('\n').filter((l) => / error TS\d+:/.test(l));
    const why =
      typeErrors.length > 0
        ? `type-check failed with ${typeErrors.length} error${typeErrors.length === 1 ? '' : 's'}, first: ${typeErrors[0]!.trim()}`
        : `npm test exited ${run.exitCode} before vitest wrote its report (see its output above)`;
    return countLine(label, 0, 1, 0, [`${label}: ${why}; no test ran`]);
  }
  const report = run.report;
  const lines: string[] = [];
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'));
  if (brokenFiles.length > 0) {
    const named = brokenFiles.map((f) => `${path.relative(run.root, f.name)} (${firstLine(f.message) || 'a hook failed'})`);
    lines.push(`${label}: ${brokenFiles.length} test file${brokenFiles.length === 1 ? '' : 's'} failed outside any test: ${named.join('; ')}`);
  }
  let failed = report.numFailedTests + brokenFiles.length;
  if (run.exitCode !== 0 && failed === 0) {
    lines.push(`${label}: npm test exited ${run.exitCode} though no test failed: an error outside any test (see "Unhandled Errors" above)`);
    failed = 1;
  }
  const total = report.numPassedTests + report.numFailedTests + report.numPendingTests + report.numTodoTests;
  if (total === 0 && failed === 0) {
    lines.push(`${label}: vitest ran no test`);
    failed = 1;
  }
  return countLine(label, report.numPassedTests, failed, report.numPendingTests + report.numTodoTests, lines);
}

/** Adds up the runs under `label`; the last line is the plain `N passed, N failed, N skipped` CI reads. */
export function totalOf(label: string, tallies: Pick<Tally, 'passed' | 'failed' | 'skipped'>[]): Tally {
  const sum = (key: 'passed' | 'failed' | 'skipped') => tallies.reduce((n, t) => n + t[key], 0);
  return countLine(label, sum('passed'), sum('failed'), sum('skipped'), []);
}

function countLine(label: string, passed: number, failed: number, skipped: number, before: string[]): Tally {
  return { passed, failed, skipped, lines: [...before, `${label}: ${passed} passed, ${failed} failed, ${skipped} skipped`] };
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}
