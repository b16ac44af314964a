import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

/** AWS asks for these beside the calls we make: tags on RegisterTaskDefinition, the task roles it passes. */
const IMPLIED = ['ecs:TagResource', 'iam:PassRole'];

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

describe('iam-policy.json', () => {
  it('grants exactly the ECS actions the code calls, and nothing broader', async () => {
    const policy = JSON.parse(await readFile(path.join(root, 'iam-policy.json'), 'utf8')) as {
      Statement: { Effect: string; Action: string[]; Resource: string | string[] }[];
    };
    const granted = policy.Statement.flatMap((s) => s.Action);
    expect(granted.every((a) => !a.includes('*'))).toBe(true);
    expect(policy.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
    const called = await commandsCalled('ecs', 'ecs');
    expect(called.length).toBeGreaterThan(5);
    expect([...new Set(granted)].filter((a) => !IMPLIED.includes(a)).sort()).toEqual(called);
    const mutating = policy.Statement.filter((s) => s.Action.some((a) => ['ecs:UpdateService', 'ecs:StopServiceDeployment'].includes(a)));
    for (const s of mutating) expect(s.Resource).not.toBe('*');
  });
});
