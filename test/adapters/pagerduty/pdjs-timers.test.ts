import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const probe = fileURLToPath(new URL('./exit-probe.ts', import.meta.url));
// Far below pdjs's 30 s timer, far above a process start with tsx on a loaded machine.
const EXIT_WITHIN_MS = 10_000;

describe('pdjs timers', () => {
  it("pdjs's own defaults leave a 30 s timer behind a failed request (why the adapter turns it off)", async () => {
    const script = `
      import net from 'node:net';
      import { api } from '@pagerduty/pdjs';
      const server = net.createServer();
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address();
      await new Promise((resolve) => server.close(resolve));
      await api({ token: 't', url: 'http://127.0.0.1:' + port + '/incidents', method: 'POST', data: {} }).catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      console.log(JSON.stringify(process.getActiveResourcesInfo()));
      process.exit(0);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, timeout: EXIT_WITHIN_MS });
    expect(JSON.parse(stdout)).toContain('Timeout');
  });

  it('a process whose PagerDuty calls were refused or hung ends by itself, right after them', async () => {
    const started = performance.now();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', probe], { cwd: repoRoot, timeout: EXIT_WITHIN_MS });
    expect(performance.now() - started).toBeLessThan(EXIT_WITHIN_MS);
    expect(JSON.parse(stdout)).toEqual([
      { mode: 'events', result: { ok: false, error: 'PagerDuty could not be reached (ECONNREFUSED)' } },
      { mode: 'rest', result: { ok: false, error: 'PagerDuty could not be reached (ECONNREFUSED)' } },
      { mode: 'events', result: { ok: false, error: 'PagerDuty did not answer within 200 ms' } },
      { mode: 'rest', result: { ok: false, error: 'PagerDuty did not answer within 200 ms' } },
    ]);
  });
});
