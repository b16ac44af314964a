import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, textOf, type Harness } from '../support/bot-harness.js';
import { SAMPLE_CONFIG_YAML } from '../support/catalog.js';

let h: Harness;
afterEach(async () => {
  expect(h.slack.violations).toEqual([]);
  expect(h.rds.violations).toEqual([]);
  expect(h.pagerduty.violations).toEqual([]);
  await h.stop();
});

const SOURCE = 'shieldai-production-db';
const TARGET = 'shieldai-production-db-rb-202611220300';
const STAGING_CONFIG = `${SAMPLE_CONFIG_YAML}    databases:\n      main:\n        dbInstanceIdentifier: shieldai-staging-db\npagerduty:\n  urgency: high\n`;

async function promptIn(channel: string, actionId: string) {
  const prompt = await h.nextPrompt(actionId);
  expect(prompt.channel).toBe(channel);
  return prompt;
}

async function ephemeralTo(user: string, pattern: RegExp): Promise<string> {
  const call = await h.waitFor((c) => c.method === 'chat.postEphemeral' && (c.params as { user?: string }).user === user && pattern.test(textOf(c)), 15_000);
  return textOf(call);
}

/** Asks for a restore and gets it through both prompts: Alice confirms, Carol (production's approver) approves. */
async function requestAndApprove(text: string, approver = 'U0CAROL'): Promise<void> {
  await h.command(text);
  const prompt = await promptIn('C0OPS', 'rollback_confirm');
  await h.click(prompt, 'rollback_confirm', 'U0ALICE');
  const approval = await promptIn('C0OPS', 'rollback_approve');
  await h.click(approval, 'rollback_approve', approver);
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

/** The source as RDS shows it, without what moves by itself (its status and latest restorable time). */
function sourceSettings(): Record<string, unknown> {
  const { DBInstanceStatus: _status, LatestRestorableTime: _latest, ...rest } = h.rds.instance(SOURCE)!;
  return rest;
}

describe('database rollbacks through Slack and RDS', () => {
  it('restores to a point in time into a new instance: prompt, confirm, approve, snapshot, restore, endpoint and next steps', async () => {
    h = await startHarness();
    const before = sourceSettings();
    await h.command('db production main to 2026-11-22T02:30:00Z migration 42 dropped a column');
    const prompt = await promptIn('C0OPS', 'rollback_confirm');
    const promptText = JSON.stringify(prompt.blocks);
    for (const shown of [TARGET, 'db.r6g.large', 'Multi-AZ', 'gp3', 'shieldai-production-db-subnets', 'sg-0a1b2c3d4e5f60718', 'shieldai-production-db-params', 'needs a second person']) {
      expect(promptText).toContain(shown);
    }
    expect(h.rds.mutatingRequests()).toEqual([]);

    await h.click(prompt, 'rollback_confirm', 'U0ALICE');
    const approval = await promptIn('C0OPS', 'rollback_approve');
    await h.click(approval, 'rollback_approve', 'U0ALICE');
    await ephemeralTo('U0ALICE', /cannot approve your own/);
    expect(h.rds.mutatingRequests()).toEqual([]);
    await h.click(approval, 'rollback_approve', 'U0CAROL');

    const done = await ephemeralTo('U0ALICE', /is available at/);
    expect(done).toContain(`${TARGET}.c9akciq32.us-east-1.rds.amazonaws.com:5432`);
    await h.idle();

    const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
    expect(rollback).toMatchObject({ state: 'succeeded', confirmedBy: 'U0ALICE', approvedBy: 'U0CAROL' });
    const snapshotId = `${SOURCE}-pre-${rollback.id}`;
    const [create] = h.rds.callsTo('CreateDBSnapshot');
    expect(create!.input).toEqual({ DBSnapshotIdentifier: snapshotId, DBInstanceIdentifier: SOURCE, Tags: [{ Key: 'rollback-bot:rollback-id', Value: rollback.id }] });

    const [restore] = h.rds.callsTo('RestoreDBInstanceToPointInTime');
    expect(h.rds.callsTo('RestoreDBInstanceToPointInTime')).toHaveLength(1);
    // The snapshot was available, and seen to be, before the restore was asked for.
    expect(restore!.at).toBeGreaterThanOrEqual(h.rds.state.snapshots.get(snapshotId)!.availableAt);
    expect(h.rds.callsTo('DescribeDBSnapshots').some((r) => r.at >= h.rds.state.snapshots.get(snapshotId)!.availableAt && r.at <= restore!.at)).toBe(true);
    expect(restore!.input).toEqual({
      SourceDBInstanceIdentifier: SOURCE,
      TargetDBInstanceIdentifier: TARGET,
      RestoreTime: '2026-11-22T02:30:00Z',
      DBInstanceClass: 'db.r6g.large',
      MultiAZ: true,
      StorageType: 'gp3',
      Iops: 12000,
      StorageThroughput: 500,
      DBSubnetGroupName: `${SOURCE}-subnets`,
      VpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718', 'sg-0f1e2d3c4b5a69788'],
      DBParameterGroupName: `${SOURCE}-params`,
      OptionGroupName: 'default:postgres-15',
      Port: 5432,
      PubliclyAccessible: false,
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      Tags: [
        { Key: 'Environment', Value: 'production' },
        { Key: 'team', Value: 'platform' },
        { Key: 'rollback-bot:rollback-id', Value: rollback.id },
      ],
    });

    // The source: never in a modifying call but its own snapshot, and exactly as it was.
    expect(h.rds.mutatingRequests().map((r) => r.operation)).toEqual(['CreateDBSnapshot', 'RestoreDBInstanceToPointInTime']);
    expect(sourceSettings()).toEqual(before);
    const restored = h.rds.instance(TARGET)!;
    expect(restored).toMatchObject({ DBInstanceStatus: 'available', MultiAZ: true, DBInstanceClass: 'db.r6g.large', DBSubnetGroup: { DBSubnetGroupName: `${SOURCE}-subnets` } });

    const [top] = h.slack.messagesIn('C0INCIDENTS');
    expect(top!.text).toMatch(/^ROLLBACK COMPLETE in production: database main shieldai-production-db → new instance/);
    const replies = h.slack.repliesIn('C0INCIDENTS', top!.ts).map((m) => m.text);
    expect(replies.some((t) => t.startsWith('snapshotting the source: creating'))).toBe(true);
    // Twenty minutes of `creating` still get a reply every five.
    expect(replies.filter((t) => t.startsWith('restoring into the new instance: creating')).length).toBeGreaterThanOrEqual(3);
    expect(replies.some((t) => t.startsWith('restoring into the new instance: backing-up'))).toBe(true);
    const complete = replies.filter((t) => t.startsWith('ROLLBACK COMPLETE'));
    expect(complete).toHaveLength(1);
    expect(complete[0]).toContain(`available at ${TARGET}.c9akciq32.us-east-1.rds.amazonaws.com:5432`);
    const completeBlocks = JSON.stringify(h.slack.repliesIn('C0INCIDENTS', top!.ts).at(-1)!.blocks);
    expect(completeBlocks).toContain("Point the application's database secret at it");
    expect(completeBlocks).toContain('Restart the services that read the secret');

    expect(h.pagerduty.events.map((e) => [e['event_action'], e['dedup_key']])).toEqual([['trigger', rollback.id]]);
    const audit = (await h.bot.store.listAudit({ rollbackId: rollback.id, limit: 50 })).map((a) => `${a.action}:${a.outcome}`).reverse();
    expect(audit).toEqual([
      'rollback.requested:ok',
      'rollback.confirmed:ok',
      'prompt.approve:refused',
      'rollback.approved:ok',
      'rds.create-db-snapshot:attempt',
      'rds.create-db-snapshot:ok',
      'rds.restore-db-instance-to-point-in-time:attempt',
      'rds.restore-db-instance-to-point-in-time:ok',
      'service.succeeded:ok',
      'rollback.succeeded:ok',
    ]);
    // A restore freezes no deploys: the source is untouched and the switch-over is left to people.
    expect(await h.bot.engine.deployLocks.list('production')).toEqual([]);
  });

  it('refuses a time outside the restorable window, a wrong snapshot and an Aurora instance before any prompt', async () => {
    h = await startHarness();
    h.rds.addSnapshot({ id: 'other-db-nightly', instanceId: 'some-other-db' });
    h.rds.addSnapshot({ id: 'still-copying', instanceId: SOURCE, availableAt: h.clock.now() + 3_600_000 });
    const cases: [string, RegExp][] = [
      ['db production main to 2026-11-01T00:00:00Z', /is before the earliest restorable time\. The restorable window is 2026-11-15 03:00:00 UTC to 2026-11-22 02:55:00 UTC/],
      ['db production main to 2026-11-22T02:58:00Z', /is after the latest restorable time/],
      ['db production main to 2026-11-23T00:00:00Z', /is in the future/],
      ['db production main to snapshot:missing', /RDS has no snapshot `missing`/],
      ['db production main to snapshot:other-db-nightly', /is of `some-other-db`, not of `shieldai-production-db`/],
      ['db production main to snapshot:still-copying', /is `creating`; only an `available` snapshot can be restored/],
    ];
    for (const [text, pattern] of cases) {
      await h.command(text);
      expect(await ephemeralTo('U0ALICE', pattern)).toContain('Nothing was changed.');
    }
    const instance = h.rds.state.instances.get(SOURCE)!;
    instance.clusterId = 'shieldai-production-cluster';
    instance.engine = 'aurora-postgresql';
    await h.command('db production main to 2026-11-22T02:30:00Z');
    expect(await ephemeralTo('U0ALICE', /Aurora restores .* are not supported yet/)).toContain('shieldai-production-cluster');

    await h.idle();
    expect(h.slack.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.params).includes('rollback_confirm'))).toEqual([]);
    expect(h.rds.mutatingRequests()).toEqual([]);
    expect(await h.bot.store.listRecentRollbacks({ limit: 10 })).toEqual([]);
  });

  it('restores from a snapshot of its own with the same settings, and needs a second person in unprotected staging too', async () => {
    h = await startHarness({ config: STAGING_CONFIG });
    h.rds.addSnapshot({ id: 'rds:shieldai-staging-db-2026-11-22-02-00', instanceId: 'shieldai-staging-db', type: 'automated' });
    await h.command('db staging main to snapshot:rds:shieldai-staging-db-2026-11-22-02-00');
    const prompt = await promptIn('C0OPS', 'rollback_confirm');
    await h.click(prompt, 'rollback_confirm', 'U0ALICE');
    const approval = await promptIn('C0OPS', 'rollback_approve');
    expect(h.rds.mutatingRequests()).toEqual([]);
    await h.click(approval, 'rollback_approve', 'U0ALICE');
    await ephemeralTo('U0ALICE', /cannot approve your own/);
    await h.click(approval, 'rollback_approve', 'U0BOB');
    await ephemeralTo('U0ALICE', /is available at/);
    await h.idle();

    const [restore] = h.rds.callsTo('RestoreDBInstanceFromDBSnapshot');
    expect(restore!.input).toMatchObject({
      DBSnapshotIdentifier: 'rds:shieldai-staging-db-2026-11-22-02-00',
      DBInstanceIdentifier: 'shieldai-staging-db-rb-202611220300',
      DBInstanceClass: 'db.r6g.large',
      MultiAZ: false,
      DBSubnetGroupName: 'shieldai-staging-db-subnets',
      DBParameterGroupName: 'shieldai-staging-db-params',
      VpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718', 'sg-0f1e2d3c4b5a69788'],
      StorageType: 'gp3',
      DeletionProtection: false,
    });
    expect(h.rds.callsTo('CreateDBSnapshot')[0]!.at).toBeLessThan(restore!.at);
    const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
    expect(rollback).toMatchObject({ state: 'succeeded', confirmedBy: 'U0ALICE', approvedBy: 'U0BOB' });
  });

  it('resumes the wait after a restart in the middle of the restore and announces completion once', async () => {
    h = await startHarness();
    await requestAndApprove('db production main to 2026-11-22T02:30:00Z');
    await until(() => h.rds.callsTo('RestoreDBInstanceToPointInTime').length === 1 && h.bot.runner.activeIds().length === 1, 'the restore call');

    await h.restart();
    await ephemeralTo('U0ALICE', /is available at/);
    await h.idle();

    expect(h.rds.callsTo('CreateDBSnapshot')).toHaveLength(1);
    expect(h.rds.callsTo('RestoreDBInstanceToPointInTime')).toHaveLength(1);
    const [top] = h.slack.messagesIn('C0INCIDENTS');
    expect(h.slack.messagesIn('C0INCIDENTS')).toHaveLength(1);
    expect(top!.text).toMatch(/^ROLLBACK COMPLETE/);
    expect(h.slack.repliesIn('C0INCIDENTS', top!.ts).filter((m) => m.text.startsWith('ROLLBACK COMPLETE'))).toHaveLength(1);
    expect(h.slack.ephemeralsTo('U0ALICE').filter((m) => m.text.includes('is available at'))).toHaveLength(1);
    expect(h.pagerduty.events.map((e) => e['event_action'])).toEqual(['trigger']);
    const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
    const actions = (await h.bot.store.listAudit({ rollbackId: rollback.id, limit: 50 })).map((a) => a.action);
    expect(actions).toContain('rollback.resumed');
    expect(actions).toContain('rds.restore-found-after-restart');
  });

  it('does not take the snapshot twice when restarted while waiting for it', async () => {
    h = await startHarness();
    await requestAndApprove('db production main to 2026-11-22T02:30:00Z');
    await until(() => h.rds.callsTo('CreateDBSnapshot').length === 1 && h.bot.runner.activeIds().length === 1, 'the snapshot call');
    await h.restart();
    await ephemeralTo('U0ALICE', /is available at/);
    await h.idle();
    expect(h.rds.callsTo('CreateDBSnapshot')).toHaveLength(1);
    expect(h.rds.callsTo('RestoreDBInstanceToPointInTime')).toHaveLength(1);
  });

  it('reports a restore RDS fails, and one that outlasts its timeout, leaving everything it made in place', async () => {
    h = await startHarness({ config: `${SAMPLE_CONFIG_YAML}defaults:\n  restoreTimeoutMinutes: 45\n` });
    const before = sourceSettings();
    h.rds.setBehaviour({ restoreOutcome: 'incompatible-parameters' });
    await requestAndApprove('db production main to 2026-11-22T02:30:00Z bad migration');
    expect(await ephemeralTo('U0ALICE', /FAILED/)).toContain('RDS reports it `incompatible-parameters`');
    await h.idle();
    const failed = h.slack.messagesIn('C0INCIDENTS').at(-1)!;
    expect(failed.text).toMatch(/^ROLLBACK FAILED in production: database main/);
    expect(h.slack.repliesIn('C0INCIDENTS', failed.ts).at(-1)!.text).toMatch(/^ROLLBACK FAILED in production after .*: database main \(point in time 2026-11-22 02:30:00 UTC\) failed/);

    h.rds.setBehaviour({ restoreOutcome: 'available', creatingMinutes: 90 });
    await requestAndApprove('db production main to 2026-11-22T02:30:00Z');
    expect(await ephemeralTo('U0ALICE', /still `creating` after 45 min/)).toContain('deleted nothing');
    await h.idle();
    const [second] = await h.bot.store.listRecentRollbacks({ limit: 1 });
    expect(second).toMatchObject({ state: 'failed' });
    expect((await h.bot.store.getServices(second!.id))[0]).toMatchObject({ service: 'db:main', state: 'timed_out' });
    expect(h.rds.state.instances.size).toBe(4);
    expect(sourceSettings()).toEqual(before);
  });

  it('rides out a throttled RDS, and fails in RDS’s words when the restore call is refused', async () => {
    h = await startHarness();
    // Twelve throttles outlast the SDK's five attempts twice over before the first lookup gets through.
    h.rds.failNext('DescribeDBSnapshots', 'throttle', 12);
    h.rds.failNext('RestoreDBInstanceToPointInTime', { shape: 'InsufficientDBInstanceCapacityFault', message: 'Not enough db.r6g.large capacity in us-east-1a.' });
    await requestAndApprove('db production main to 2026-11-22T02:30:00Z');
    expect(await ephemeralTo('U0ALICE', /FAILED/)).toContain('InsufficientDBInstanceCapacityFault: Not enough db.r6g.large capacity');
    await h.idle();
    expect(h.rds.callsTo('CreateDBSnapshot')).toHaveLength(1);
    const rollback = (await h.bot.store.listRecentRollbacks({ limit: 1 }))[0]!;
    expect(rollback.state).toBe('failed');
    const actions = (await h.bot.store.listAudit({ rollbackId: rollback.id, limit: 50 })).map((a) => `${a.action}:${a.outcome}`);
    expect(actions).toContain('rds.restore-db-instance-to-point-in-time:error');
    expect(h.rds.instance(TARGET)).toBeUndefined();
  });

  it('lists snapshots, and takes a manual one for a requester and reports when it is available', async () => {
    h = await startHarness();
    h.rds.addSnapshot({ id: 'rds:shieldai-production-db-2026-11-22-00-00', instanceId: SOURCE, type: 'automated', createdAt: h.clock.now() - 3 * 3_600_000 });
    await h.command('snapshot production main before migration 43', 'U0CAROL');
    expect(await ephemeralTo('U0CAROL', /Only <@U0ALICE>, <@U0BOB> may start rollbacks/)).toContain('Nothing was changed.');

    await h.command('snapshot production main before migration 43');
    await ephemeralTo('U0ALICE', /Taking snapshot `shieldai-production-db-manual-20261122030000`/);
    await ephemeralTo('U0ALICE', /Snapshot `shieldai-production-db-manual-20261122030000` of `shieldai-production-db` is available/);
    expect(h.rds.callsTo('CreateDBSnapshot').map((r) => r.input)).toEqual([
      { DBSnapshotIdentifier: 'shieldai-production-db-manual-20261122030000', DBInstanceIdentifier: SOURCE, Tags: [{ Key: 'rollback-bot:requested-by', Value: 'U0ALICE' }] },
    ]);

    await h.command('db production main snapshots');
    const listed = await ephemeralTo('U0ALICE', /Snapshots of main/);
    expect(listed.indexOf('shieldai-production-db-manual-20261122030000')).toBeLessThan(listed.indexOf('rds:shieldai-production-db-2026-11-22-00-00'));
    expect(listed).toContain('Point in time: 2026-11-15 03:00:00 UTC to');
    const actions = (await h.bot.store.listAudit({ environment: 'production', limit: 10 })).map((a) => `${a.action}:${a.outcome}`).reverse();
    expect(actions).toEqual(['rds.create-db-snapshot:refused', 'rds.create-db-snapshot:attempt', 'rds.create-db-snapshot:ok']);
  });
});
