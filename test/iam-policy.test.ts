import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

/**
 * AWS asks for these beside the calls we make: tags on RegisterTaskDefinition, the task roles it passes,
 * and tags on the snapshots and instances RDS creates.
 */
const IMPLIED = ['ecs:TagResource', 'iam:PassRole', 'rds:AddTagsToResource'];

interface Statement {
  Effect: string;
  Action: string[];
  Resource: string | string[];
}

async function commandsCalled(prefix: string, service: string): Promise<string[]> {
  const dir = path.join(root, 'src/adapters/aws');
  const files = (await readdir(dir)).filter((f) => f.startsWith(prefix) && f.endsWith('.ts'));
  const names = new Set<string>();
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(/new (\w+)Command\(/g)) names.add(`${service}:${m[1]}`);
  }
  return [...names].sort();
}

async function policy(): Promise<Statement[]> {
  return (JSON.parse(await readFile(path.join(root, 'iam-policy.json'), 'utf8')) as { Statement: Statement[] }).Statement;
}

describe('iam-policy.json', () => {
  it('grants only named actions, and only allows', async () => {
    const statements = await policy();
    expect(statements.flatMap((s) => s.Action).every((a) => !a.includes('*'))).toBe(true);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('grants actions of no other AWS service than those the adapters call, and iam:PassRole', async () => {
    const services = new Set((await policy()).flatMap((s) => s.Action).map((a) => a.slice(0, a.indexOf(':'))));
    expect([...services].sort()).toEqual(['cloudwatch', 'ecs', 'iam', 'rds']);
  });

  it.each([
    ['ecs', 'ecs', ['ecs:UpdateService', 'ecs:StopServiceDeployment']],
    ['cloudwatch', 'cloudwatch', []],
    ['rds', 'rds', ['rds:CreateDBSnapshot', 'rds:RestoreDBInstanceToPointInTime', 'rds:RestoreDBInstanceFromDBSnapshot', 'rds:AddTagsToResource']],
  ])('grants exactly the %s actions the code calls, and the mutating ones not on every resource', async (prefix, service, mutatingActions) => {
    const statements = await policy();
    const granted = [...new Set(statements.flatMap((s) => s.Action).filter((a) => a.startsWith(`${service}:`)))];
    const called = await commandsCalled(prefix, service);
    expect(called.length).toBeGreaterThan(1);
    expect(granted.filter((a) => !IMPLIED.includes(a)).sort()).toEqual(called);
    const mutating = statements.filter((s) => s.Action.some((a) => mutatingActions.includes(a)));
    expect(mutating.length > 0).toBe(mutatingActions.length > 0);
    for (const s of mutating) {
      expect(s.Resource).not.toBe('*');
      expect([s.Resource].flat()).not.toContain('*');
    }
  });
});
