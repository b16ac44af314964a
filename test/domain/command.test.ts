import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/domain/command.js';
import { sampleCatalog } from '../support/catalog.js';

const catalog = sampleCatalog();
const parse = (text: string) => parseCommand(text, catalog);

describe('parseCommand', () => {
  it('understands a single-service rollback with a reason', () => {
    expect(parse('production api checkout is broken')).toEqual({
      ok: true,
      command: { kind: 'rollback', environment: 'production', services: ['api'], allServices: false, target: null, dryRun: false, reason: 'checkout is broken' },
    });
  });

  it('expands all to every configured service', () => {
    const r = parse('production all');
    expect(r.ok && r.command.kind === 'rollback' && r.command.services).toEqual(['api', 'worker']);
    expect(r.ok && r.command.kind === 'rollback' && r.command.allServices).toBe(true);
  });

  it('reads `to <revision>`, `to <image-tag>` and --dry-run in any order after the service', () => {
    expect(parse('production api to 14 --dry-run')).toMatchObject({ ok: true, command: { target: { kind: 'revision', revision: 14 }, dryRun: true, reason: '' } });
    expect(parse('production api --dry-run to v1.2.3 bad deploy')).toMatchObject({
      ok: true,
      command: { target: { kind: 'image-tag', tag: 'v1.2.3' }, dryRun: true, reason: 'bad deploy' },
    });
  });

  it('accepts the em dash that phones put in place of --', () => {
    expect(parse('staging api —dry-run')).toMatchObject({ ok: true, command: { dryRun: true } });
  });

  it('is case-insensitive for environment and service names', () => {
    expect(parse('Production API')).toMatchObject({ ok: true, command: { environment: 'production', services: ['api'] } });
  });

  it('keeps the reason verbatim, undoing Slack’s entity encoding', () => {
    expect(parse('staging api &lt;!channel&gt; &amp; more')).toMatchObject({ ok: true, command: { reason: '<!channel> & more' } });
  });

  it('answers help for nothing, help and --help', () => {
    for (const text of ['', '   ', 'help', '--help']) expect(parse(text)).toEqual({ ok: true, command: { kind: 'help' } });
  });

  it('names an unknown environment, suggests the close one and lists the valid ones', () => {
    const r = parse('prodution api');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('unknown_environment');
    expect(r.error.problem).toContain('`prodution`');
    expect(r.error.problem).toContain('Did you mean `production`?');
    expect(r.error.hint).toContain('production, staging');
  });

  it('names an unknown service and lists the services of that environment', () => {
    const r = parse('production apii');
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown_service' } });
    if (r.ok) return;
    expect(r.error.problem).toContain('Did you mean `api`?');
    expect(r.error.hint).toContain('api, worker, or `all`');
  });

  it('refuses a missing service, an unknown option and bad targets', () => {
    expect(parse('production')).toMatchObject({ ok: false, error: { code: 'missing_argument' } });
    expect(parse('production --dry-run')).toMatchObject({ ok: false, error: { code: 'missing_argument' } });
    expect(parse('production api --force')).toMatchObject({ ok: false, error: { code: 'unknown_option' } });
    expect(parse('production api to')).toMatchObject({ ok: false, error: { code: 'missing_argument' } });
    expect(parse('production api to 0')).toMatchObject({ ok: false, error: { code: 'invalid_target' } });
    expect(parse('production api to ../../etc')).toMatchObject({ ok: false, error: { code: 'invalid_target' } });
    expect(parse('production all to 14')).toMatchObject({ ok: false, error: { code: 'invalid_target' } });
  });

  it('parses status, history and db commands against the config', () => {
    expect(parse('status production')).toEqual({ ok: true, command: { kind: 'status', environment: 'production' } });
    expect(parse('history production api')).toEqual({ ok: true, command: { kind: 'history', environment: 'production', service: 'api' } });
    expect(parse('history production nope')).toMatchObject({ ok: false, error: { code: 'unknown_service' } });
    expect(parse('db production main to 2026-11-22T02:30:00Z oops')).toMatchObject({ ok: true, command: { kind: 'db', database: 'main', reason: 'oops' } });
    expect(parse('db production main to yesterday')).toMatchObject({ ok: false, error: { code: 'invalid_target' } });
    expect(parse('db staging main to 2026-11-22T02:30:00Z')).toMatchObject({ ok: false, error: { code: 'unknown_database' } });
  });

  it('never echoes control characters or backticks from user text', () => {
    const r = parse('pro`d\u0007 api');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.problem).toContain('`prod`');
  });
});
