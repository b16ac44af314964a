/**
 * The tally `.ci/run` prints (README "Development"), from vitest's own JSON report:
 *   ci-tally run --label "node 24.22.3" --exit-code 1 --output npm-test.log --report vitest.json --save counts.json
 *   ci-tally total --label ci counts-20.json counts-24.json
 * `run` prints a run's lines and saves them; `total` prints every saved run's lines, then their sum. Exits 1 when anything failed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tallyRun, totalOf, type Tally, type VitestReport } from './ci/tally.js';

function main(argv: string[]): number {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      label: { type: 'string' },
      'exit-code': { type: 'string' },
      output: { type: 'string' },
      report: { type: 'string' },
      save: { type: 'string' },
    },
  });
  const [mode, ...files] = positionals;
  const label = values.label ?? 'tests';
  let tally: Tally;
  if (mode === 'run' && values['exit-code'] !== undefined && values.output && values.report && values.save) {
    tally = tallyRun({
      label,
      exitCode: Number(values['exit-code']),
      output: readFileSync(values.output, 'utf8'),
      report: existsSync(values.report) ? (JSON.parse(readFileSync(values.report, 'utf8')) as VitestReport) : undefined,
      root: process.cwd(),
    });
    writeFileSync(values.save, JSON.stringify(tally));
  } else if (mode === 'total' && files.length > 0) {
    const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Tally);
    const total = totalOf(label, runs);
    // Each run's lines again, so the tallies stand together at the end of a long log.
    tally = { ...total, lines: [...runs.flatMap((r) => r.lines), ...total.lines] };
  } else {
    process.stderr.write('usage: ci-tally run --label L --exit-code N --output LOG --report JSON --save COUNTS | ci-tally total --label L COUNTS...\n');
    return 2;
  }
  for (const line of tally.lines) process.stdout.write(`${line}\n`);
  return tally.failed === 0 ? 0 : 1;
}

process.exit(main(process.argv.slice(2)));
