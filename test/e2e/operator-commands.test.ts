import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../fakes/slack/index.js';
import { standardServices, startHarness, textOf, type Harness } from '../support/bot-harness.js';

let h: Harness;
afterEach(async () => {
  expect(h.slack.violations).toEqual([]);
  expect(h.ecs.violations).toEqual([]);
  expect(h.cloudwatch.violations).toEqual([]);
  await h.stop();
});

const goldenDir = fileURLToPath(new URL('golden', import.meta.url));

/** The rendered message with what changes from run to run (ids, times, durations, thread links) replaced. */
function stable(call: RecordedCall): string {
  const { text, blocks } = call.params as { text: string; blocks?: unknown };
  return `${JSON.stringify({ text, blocks }, null, 2)}\n`
    .replace(/rb-\d{12}-[0-9a-f]{6}/g, 'rb-<id>')
    .replace(/<!date\^\d+\^/g, '<!date^<epoch>^')
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/g, '<time> UTC')
    .replace(/\b(\d+h )?(\d+m )?\d+s\b/g, '<duration>')
    .replace(/\/p\d+/g, '/p<ts>');
}

async function expectGolden(call: RecordedCall, name: string): Promise<void> {
  const file = path.join(goldenDir, `${name}.json`);
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, stable(call));
  const expected = await readFile(file, 'utf8').catch(() => '(no golden file: run UPDATE_GOLDEN=1 npx vitest run test/e2e/operator-commands.test.ts)');
  expect(stable(call)).toBe(expected);
}

function ephemeral(user: string, pattern: RegExp): Promise<RecordedCall> {
  return h.waitFor((c) => c.method === 'chat.postEphemeral' && (c.params as { user?: string }).user === user && pattern.test(textOf(c)));
}

async function rollBackStaging(reason: string, user = 'U0ALICE'): Promise<void> {
  const before = h.slack.ephemeralsTo(user).filter((e) => /finished|FAILED/.test(e.text)).length;
  await h.command(`staging api ${reason}`, user);
  await h.waitFor(() => h.slack.ephemeralsTo(user).filter((e) => /finished|FAILED/.test(e.text)).length > before);
  await h.idle();
}

async function getLock(environment: string, service: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL(`/locks/${environment}/${service}`, h.url));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('/rollback status', () => {
  it('answers per service: running revision and tag, rollback target, counts, rollout, alarms in ALARM, locks', async () => {
    h = await startHarness();
    h.cloudwatch.setAlarmState('shieldai-production-alb-5xx', 'ALARM');
    expect((await h.command('lock production worker schema migration in flight')).status).toBe(200);
    await ephemeral('U0ALICE', /deploys frozen/);
    expect((await h.command('status production')).status).toBe(200);
    const answer = await ephemeral('U0ALICE', /Status of production/);
    await expectGolden(answer, 'status.production');
    expect(h.ecs.mutatingRequests()).toEqual([]);
  });

  it('still answers when CloudWatch does not, or when a service has nothing to go back to, saying so', async () => {
    h = await startHarness({
      services: [
        ...standardServices('shieldai-production', ['shieldai-production-api']),
        { service: 'shieldai-production-worker', cluster: 'shieldai-production', deployments: ['shieldai-production-worker:1'] },
      ],
    });
    h.cloudwatch.failNext('DescribeAlarms', { status: 403, code: 'AccessDenied', message: 'not allowed' });
    await h.command('status production');
    const answer = textOf(await ephemeral('U0ALICE', /Status of production/));
    expect(answer).toContain(':warning: Alarm states unknown: CloudWatch DescribeAlarms failed');
    expect(answer).toContain('rollback would go to `shieldai-production-api:13`');
    expect(answer).toContain('*worker* runs `shieldai-production-worker:1` (1.1.0): 2/2 running');
    expect(answer).toContain(':warning: No earlier ACTIVE revision of `shieldai-production-worker` than 1 to go back to.');
  });

  it('batches ECS: one DescribeServices per 10 services for 50, and changes nothing', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `svc${String(i).padStart(2, '0')}`);
    const config = [
      'incidentsChannel: C0INCIDENTS',
      'environments:',
      '  big:',
      '    region: us-east-1',
      '    cluster: big-cluster',
      '    services:',
      ...names.map((n) => `      ${n}: { ecsService: big-${n} }`),
    ].join('\n');
    h = await startHarness({ config, services: standardServices('big-cluster', names.map((n) => `big-${n}`)) });
    await h.command('status big');
    const answer = textOf(await ephemeral('U0ALICE', /Status of big/));
    expect(h.ecs.callsTo('DescribeServices')).toHaveLength(5);
    for (const name of names) expect(answer).toContain(`*${name}* runs \`big-${name}:14\` (v1.0.14): 2/2 running, rollout COMPLETED`);
    expect(answer.match(/rollback would go to `big-svc\d\d:13`/g)).toHaveLength(50);
    expect(h.ecs.mutatingRequests()).toEqual([]);
  });
});

/** Clicks `actionId` on the next prompt not clicked yet. */
async function click(actionId: string, user: string): Promise<void> {
  await h.click(await h.nextPrompt(actionId), actionId, user);
}

describe('/rollback history', () => {
  it('lists the latest rollbacks: who, when, from → to, outcome, duration, thread link', async () => {
    h = await startHarness();
    await rollBackStaging('bad deploy of 14');
    await h.command('history staging api', 'U0BOB');
    await expectGolden(await ephemeral('U0BOB', /Latest rollbacks in staging/), 'history.staging');
  });

  it('names who confirmed and who approved, and shows cancelled requests', async () => {
    h = await startHarness();
    await h.command('production api not this one');
    await click('rollback_cancel', 'U0ALICE');
    await h.waitFor((c) => c.method === 'chat.update' && textOf(c).includes('Cancelled'));
    await h.command('production all <!channel> everything is 500ing');
    await click('rollback_confirm', 'U0ALICE');
    await click('rollback_approve', 'U0CAROL');
    await ephemeral('U0ALICE', /finished/);
    await h.idle();
    await h.command('history production', 'U0BOB');
    await expectGolden(await ephemeral('U0BOB', /Latest rollbacks in production/), 'history.production');
  });
});

describe('--dry-run', () => {
  it('shows the plan and the exact AWS calls, makes no mutating call, and is audited as a dry run', async () => {
    h = await startHarness();
    await h.command('production all --dry-run');
    const answer = textOf(await ephemeral('U0ALICE', /Dry run/));
    for (const service of ['shieldai-production-api', 'shieldai-production-worker']) {
      expect(answer).toContain(
        `ecs:UpdateService cluster=shieldai-production service=${service} taskDefinition=arn:aws:ecs:us-east-1:123456789012:task-definition/${service}:13 forceNewDeployment=true`,
      );
    }
    await h.idle();
    expect(h.ecs.mutatingRequests()).toEqual([]);
    expect(h.ecs.requests.map((r) => r.operation).filter((op) => !/^(Describe|List)/.test(op))).toEqual([]);
    expect(await h.bot.store.listRecentRollbacks({ limit: 5 })).toEqual([]);
    const audit = await h.bot.store.listAudit({ environment: 'production', limit: 10 });
    expect(audit.map((a) => `${a.actor} ${a.action}:${a.outcome}`)).toEqual(['U0ALICE rollback.dry-run:info']);
  });
});

describe('deploy locks', () => {
  it('are set by a completed rollback, reported by status and GET /locks, never block a further rollback, and are lifted by unlock with an audit line', async () => {
    h = await startHarness();
    expect(await getLock('staging', 'api')).toEqual({
      status: 200,
      body: { environment: 'staging', service: 'api', locked: false, by: null, reason: null, since: null, rollbackId: null },
    });
    await rollBackStaging('checkout is 500ing');
    const first = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
    const locked = await getLock('staging', 'api');
    expect(locked).toEqual({
      status: 200,
      body: { environment: 'staging', service: 'api', locked: true, by: 'U0ALICE', reason: 'checkout is 500ing', since: expect.any(String), rollbackId: first.id },
    });
    expect(Date.parse(String(locked.body['since']))).toBe(first.finishedAt!.getTime());
    const setLines = (await h.bot.store.listAudit({ environment: 'staging', service: 'api', limit: 20 })).filter((a) => a.action === 'deploy-lock.lock');
    expect(setLines.map((a) => `${a.actor}:${a.outcome}`)).toEqual(['system:ok', 'system:attempt']);
    expect(setLines[0]!.detail).toEqual({ lockedBy: 'U0ALICE', reason: 'checkout is 500ing', rollbackId: first.id });

    await h.command('status staging');
    expect(textOf(await ephemeral('U0ALICE', /Status of staging/))).toMatch(/:lock: deploys frozen since .*: rolled back by <@U0ALICE> because checkout is 500ing/);

    await rollBackStaging('still broken', 'U0BOB');
    const second = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
    expect(second).toMatchObject({ state: 'succeeded', requestedBy: 'U0BOB' });
    expect((await getLock('staging', 'api')).body).toMatchObject({ locked: true, by: 'U0BOB', rollbackId: second.id });

    await h.command('unlock staging api', 'U0CAROL');
    expect(textOf(await ephemeral('U0CAROL', /unlock/))).toContain('deploys may go ahead again (the freeze was set rolled back by <@U0BOB>');
    expect((await getLock('staging', 'api')).body).toMatchObject({ locked: false });
    const unlocks = (await h.bot.store.listAudit({ environment: 'staging', service: 'api', limit: 5 })).filter((a) => a.action === 'deploy-lock.unlock');
    expect(unlocks.map((a) => `${a.actor}:${a.outcome}`)).toEqual(['U0CAROL:ok', 'U0CAROL:attempt']);
    expect(unlocks[0]!.detail).toMatchObject({ removed: { lockedBy: 'U0BOB', reason: 'still broken', rollbackId: second.id } });
  });

  it('answers 404 JSON for an unknown environment or service', async () => {
    h = await startHarness();
    expect(await getLock('prod', 'api')).toEqual({ status: 404, body: { error: 'not_found', message: 'Unknown environment "prod".' } });
    expect(await getLock('staging', 'constructor')).toEqual({ status: 404, body: { error: 'not_found', message: 'Unknown service "constructor" in staging.' } });
  });

  it('are set by hand only by the environment’s requesters, and audited', async () => {
    h = await startHarness();
    await h.command('lock production api', 'U0DAVE');
    expect(textOf(await ephemeral('U0DAVE', /may lock or unlock/))).toContain('Nothing was changed');
    expect((await getLock('production', 'api')).body).toMatchObject({ locked: false });
    await h.command('lock production api <!channel> migration', 'U0BOB');
    expect(textOf(await ephemeral('U0BOB', /deploys frozen/))).toContain('locked by <@U0BOB> because &lt;!channel&gt; migration');
    expect((await getLock('production', 'api')).body).toMatchObject({ locked: true, by: 'U0BOB', reason: '<!channel> migration', rollbackId: null });
    const audit = await h.bot.store.listAudit({ environment: 'production', limit: 5 });
    expect(audit.map((a) => `${a.actor} ${a.action}:${a.outcome}`)).toEqual([
      'U0BOB deploy-lock.lock:ok',
      'U0BOB deploy-lock.lock:attempt',
      'U0DAVE deploy-lock.lock:refused',
    ]);
  });
});
