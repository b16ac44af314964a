import { describe, expect, it } from 'vitest';
import { parseCommand, USAGE_LINES } from '../../src/domain/command.js';
import { sampleCatalog } from '../support/catalog.js';

const catalog = sampleCatalog();

describe('lock and unlock in the grammar', () => {
  it('parses a lock with and without a reason, ignoring case', () => {
    expect(parseCommand('lock production API migration running', catalog)).toEqual({
      ok: true,
      command: { kind: 'lock', environment: 'production', service: 'api', reason: 'migration running' },
    });
    expect(parseCommand('lock staging api', catalog)).toEqual({ ok: true, command: { kind: 'lock', environment: 'staging', service: 'api', reason: '' } });
  });

  it('parses an unlock and refuses words after it', () => {
    expect(parseCommand('unlock production worker', catalog)).toEqual({ ok: true, command: { kind: 'unlock', environment: 'production', service: 'worker' } });
    expect(parseCommand('unlock production worker now', catalog)).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
  });

  it('names what is missing or unknown, with a hint', () => {
    expect(parseCommand('lock production', catalog)).toMatchObject({ ok: false, error: { code: 'missing_argument', hint: expect.stringContaining('api, worker') } });
    expect(parseCommand('unlock production apii', catalog)).toMatchObject({ ok: false, error: { code: 'unknown_service', problem: expect.stringContaining('Did you mean `api`?') } });
    expect(parseCommand('lock production constructor', catalog)).toMatchObject({ ok: false, error: { code: 'unknown_service' } });
    expect(parseCommand('lock prod api', catalog)).toMatchObject({ ok: false, error: { code: 'unknown_environment' } });
    expect(parseCommand('lock production all', catalog)).toMatchObject({ ok: false, error: { code: 'unknown_service' } });
  });

  it('lists both in the usage lines', () => {
    expect(USAGE_LINES).toContain('/rollback lock <env> <service> [reason…]');
    expect(USAGE_LINES).toContain('/rollback unlock <env> <service>');
  });
});
