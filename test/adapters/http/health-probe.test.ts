import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHealthProbe } from '../../../src/adapters/http/health-probe.js';
import type { HealthProbe } from '../../../src/ports/health-probe.js';
import { FakeHealthServer } from '../../fakes/health/fake-health-server.js';

// Generous for answers that come at once, and short for those that never come: real time, bounded.
const TIMEOUT = 5_000;
const SHORT_TIMEOUT = 100;

describe('createHealthProbe against a fake service', () => {
  let fake: FakeHealthServer;
  let probe: HealthProbe;

  beforeEach(async () => {
    fake = new FakeHealthServer();
    await fake.start();
    probe = createHealthProbe();
  });

  afterEach(() => fake.stop());

  it('counts a 200 as healthy and measures its latency', async () => {
    fake.set('/health', { status: 200, body: '{"status":"UP"}', delayMs: 40 });
    const result = await probe.check(fake.urlFor('/health'), TIMEOUT);
    expect(result).toEqual({ ok: true, status: 200, latencyMs: expect.any(Number) });
    expect(result.latencyMs).toBeGreaterThanOrEqual(35);
    expect(result.latencyMs).toBeLessThan(TIMEOUT);
  });

  it('counts any other status as unhealthy, with no error: the service did answer', async () => {
    for (const [path, status] of [['/500', 500], ['/503', 503], ['/204', 204], ['/404', 404]] as const) {
      fake.set(path, { status });
      expect(await probe.check(fake.urlFor(path), TIMEOUT)).toEqual({ ok: false, status, latencyMs: expect.any(Number) });
    }
  });

  it('reports a redirect as the redirect, without following it', async () => {
    fake.redirect('/health', '/login');
    fake.healthy('/login');
    expect(await probe.check(fake.urlFor('/health'), TIMEOUT)).toMatchObject({ ok: false, status: 302 });
    expect(fake.requests.map((r) => r.path)).toEqual(['/health']);
  });

  it('gives up on a hung service at the timeout', async () => {
    fake.hang('/health');
    const result = await probe.check(fake.urlFor('/health'), SHORT_TIMEOUT);
    expect(result).toEqual({ ok: false, status: null, latencyMs: expect.any(Number), error: 'timed out after 100 ms' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(SHORT_TIMEOUT - 5);
    expect(result.latencyMs).toBeLessThan(2_000);
    await vi.waitFor(() => expect(fake.requestsTo('/health')[0]?.abandoned).toBe(true), { interval: 5 });
  });

  it('gives up on an answer slower than the timeout', async () => {
    fake.set('/health', { status: 200, delayMs: 300 });
    expect(await probe.check(fake.urlFor('/health'), SHORT_TIMEOUT)).toMatchObject({ ok: false, status: null, error: 'timed out after 100 ms' });
  });

  it('reports a port nobody listens on as connection refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    expect(await probe.check(`http://127.0.0.1:${port}/health`, TIMEOUT)).toEqual({
      ok: false,
      status: null,
      latencyMs: expect.any(Number),
      error: 'connection refused',
    });
  });

  it('does not read a large or endless body to its end, nor wait for the timeout', async () => {
    fake.set('/huge', { status: 200, bodyBytes: 50 * 1024 * 1024 });
    fake.set('/endless', { status: 200, bodyBytes: Infinity });
    for (const path of ['/huge', '/endless']) {
      const started = performance.now();
      expect(await probe.check(fake.urlFor(path), TIMEOUT)).toMatchObject({ ok: true, status: 200 });
      expect(performance.now() - started).toBeLessThan(2_000);
      await vi.waitFor(() => expect(fake.requestsTo(path)[0]?.abandoned).toBe(true), { interval: 5 });
    }
  });

  it('reads a small body through, so later checks reuse connections', async () => {
    // Too big for fetch to buffer on its own, so only reading it through frees the connection.
    fake.set('/health', { status: 200, body: 'x'.repeat(60_000) });
    for (let i = 0; i < 6; i++) await probe.check(fake.urlFor('/health'), TIMEOUT);
    // fetch's pool may open a second connection while the first is being released, but not one per check.
    expect(new Set(fake.requestsTo('/health').map((r) => r.remotePort)).size).toBeLessThanOrEqual(2);
  });

  it('answers a URL it cannot ask with the reason, never by throwing', async () => {
    expect(await probe.check('not a url', TIMEOUT)).toEqual({ ok: false, status: null, latencyMs: 0, error: 'invalid URL' });
    expect(await probe.check('ftp://127.0.0.1/health', TIMEOUT)).toMatchObject({ ok: false, error: 'not an http(s) URL (ftp:)' });
    expect(await probe.check(fake.urlFor('/health'), -1)).toMatchObject({ ok: false, status: null, error: expect.any(String) });
  });
});
