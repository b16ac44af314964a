import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/domain/command.js';
import { sampleCatalog } from '../support/catalog.js';

const catalog = sampleCatalog();
const parse = (text: string) => parseCommand(text, catalog);

describe('database commands', () => {
  it('reads a restore to a time or a snapshot, with a reason', () => {
    expect(parse('db production main to 2026-11-22T02:30:00Z migration 42')).toEqual({
      ok: true,
      command: { kind: 'db', environment: 'production', database: 'main', target: '2026-11-22T02:30:00Z', reason: 'migration 42' },
    });
    expect(parse('db Production MAIN to snapshot:rds:shieldai-production-db-2026-11-22-02-00')).toMatchObject({
      ok: true,
      command: { kind: 'db', database: 'main', target: 'snapshot:rds:shieldai-production-db-2026-11-22-02-00', reason: '' },
    });
  });

  it('reads `db <env> <database> snapshots` and `snapshot <env> <database> [reason]`', () => {
    expect(parse('db production main snapshots')).toEqual({ ok: true, command: { kind: 'db-snapshots', environment: 'production', database: 'main' } });
    expect(parse('snapshot production main before migration 42')).toEqual({
      ok: true,
      command: { kind: 'snapshot', environment: 'production', database: 'main', reason: 'before migration 42' },
    });
    expect(parse('snapshot production main')).toMatchObject({ ok: true, command: { kind: 'snapshot', reason: '' } });
  });

  it('says what is wrong with a database command, changing nothing', () => {
    expect(parse('db production main snapshots please')).toMatchObject({ ok: false, error: { code: 'unknown_command', problem: 'Unexpected `please`.' } });
    expect(parse('snapshot production mains')).toMatchObject({ ok: false, error: { code: 'unknown_database', problem: 'Unknown database `mains` in production. Did you mean `main`?' } });
    expect(parse('snapshot staging main')).toMatchObject({ ok: false, error: { code: 'unknown_database', hint: expect.stringContaining('No databases are configured there') } });
    expect(parse('snapshot production')).toMatchObject({ ok: false, error: { code: 'missing_argument', problem: 'Which database in production?' } });
    expect(parse('db production constructor to 2026-11-22T02:30:00Z')).toMatchObject({ ok: false, error: { code: 'unknown_database' } });
    expect(parse('db production main to 2026-11-22')).toMatchObject({ ok: false, error: { code: 'invalid_target' } });
  });
});
