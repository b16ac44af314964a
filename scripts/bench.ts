/**
 * `npm run bench`: builds the bot, measures it against the issue's goals on the bundled simulators, and
 * writes BENCHMARKS.md. Takes a few minutes; `--out <file>` writes the report elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { passes } from './bench/figures.js';
import { describeMachine, renderReport } from './bench/report.js';
import { FULL_SIZE, runBenchmark } from './bench/run-benchmark.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1]! : `${ROOT}BENCHMARKS.md`;
  const machine = describeMachine();

  console.error('building: npm run build');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  // tsc still writes dist/ when it reports type errors; the start-up figures then measure what it wrote.
  if (build.status !== 0) console.error(`npm run build failed (${build.status}); measuring dist/ as it stands:\n${build.stdout}${build.stderr}`);

  const result = await runBenchmark(FULL_SIZE, (line) => console.error(`bench: ${line}`));
  await writeFile(out, renderReport(result, machine, 'npm run bench', new Date()));
  for (const f of result.figures) {
    const pass = passes(f);
    console.log(`${pass === false ? 'MISS' : pass ? 'pass' : '    '}  ${f.label}: ${Math.round(f.value * 1000) / 1000} ${f.unit}${f.goal ? ` (goal ${f.goal.text})` : ''}`);
  }
  if (result.violations.length > 0) console.log(`The simulators refused ${result.violations.length} requests; see ${out}.`);
  console.log(`Wrote ${out}.`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
