import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeHealthServer } from './fake-health-server.js';

describe('FakeHealthServer', () => {
  let clock: FakeClock;
  let fake: FakeHealthServer;

  beforeEach(async () => {
    clock = new FakeClock();
    fake = new FakeHealthServer({ clock });
    await fake.start();
  });

  afterEach(() => fake.stop());

  const get = async (path: string) => {
    const response = await fetch(fake.urlFor(path), { redirect: 'manual' });
    return { status: response.status, body: await response.text(), location: response.headers.get('location') };
  };

  it('answers each path as set, and 404 for paths nobody set', async () => {
    fake.healthy('/health');
    fake.failing('/ready', 503);
    fake.redirect('/admin/health', '/login');
    fake.set('/teapot', { status: 418, body: 'short and stout', headers: { 'x-kind': 'teapot' } });
    expect(await get('/health')).toEqual({ status: 200, body: '{"status":"UP"}', location: null });
    expect(await get('/ready')).toMatchObject({ status: 503, body: '{"status":"DOWN"}' });
    expect(await get('/admin/health')).toMatchObject({ status: 302, location: '/login' });
    expect(await get('/teapot?verbose=1')).toMatchObject({ status: 418, body: 'short and stout' });
    expect(await get('/nothing')).toMatchObject({ status: 404 });
    expect(fake.requests.map((r) => [r.method, r.path, r.at, r.abandoned])).toEqual([
      ['GET', '/health', clock.now(), false],
      ['GET', '/ready', clock.now(), false],
      ['GET', '/admin/health', clock.now(), false],
      ['GET', '/teapot', clock.now(), false],
      ['GET', '/nothing', clock.now(), false],
    ]);
  });

  it('changes behaviour when told, and on schedule as the clock moves', async () => {
    fake.failing('/health');
    expect((await get('/health')).status).toBe(500);
    fake.healthy('/health');
    expect((await get('/health')).status).toBe(200);
    const t = clock.now();
    fake.schedule('/health', [
      { at: t + 60_000, behaviour: { status: 502 } },
      { at: new Date(t + 120_000), behaviour: { status: 200 } },
    ]);
    expect((await get('/health')).status).toBe(200);
    clock.advance(60_000);
    expect((await get('/health')).status).toBe(502);
    clock.advance(60_000);
    expect((await get('/health')).status).toBe(200);
  });

  it('hangs until the client gives up, and logs that it did', async () => {
    fake.hang('/health');
    await expect(fetch(fake.urlFor('/health'), { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'TimeoutError' });
    await vi.waitFor(() => expect(fake.requestsTo('/health')[0]?.abandoned).toBe(true), { interval: 5 });
  });

  it('delays answers by real milliseconds', async () => {
    fake.set('/slow', { status: 200, delayMs: 60 });
    const started = performance.now();
    expect((await get('/slow')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('streams a body of the size asked for', async () => {
    fake.set('/big', { status: 200, bodyBytes: 100_000 });
    const response = await fetch(fake.urlFor('/big'));
    expect(response.headers.get('content-length')).toBe('100000');
    expect((await response.arrayBuffer()).byteLength).toBe(100_000);
  });
});
