import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRdsDatabases } from '../../../src/adapters/aws/rds-databases.js';
import { settingsToCopy, tagsWithMark } from '../../../src/domain/database-restore.js';
import { DatabasesError, type DatabasesPort } from '../../../src/ports/databases.js';
import { FakeRds } from '../../fakes/rds/fake-rds-server.js';
import { rdsClientFor } from '../../fakes/rds/rds-test-client.js';
import { FakeClock } from '../../support/fake-clock.js';
import { rejectionOf } from '../../support/rejection.js';

const SOURCE = 'shieldai-production-db';
const MINUTE = 60_000;
let clock: FakeClock;
let rds: FakeRds;
let databases: DatabasesPort;

beforeEach(async () => {
  clock = new FakeClock();
  rds = new FakeRds({ clock });
  await rds.start();
  rds.addInstance({ id: SOURCE });
  const client = rdsClientFor(rds.url);
  databases = createRdsDatabases(() => client);
});

afterEach(async () => {
  expect(rds.violations).toEqual([]);
  await rds.stop();
});

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, DatabasesError);

describe('the RDS adapter against a fake RDS speaking awsQuery', () => {
  it('describes an instance with every setting a restore copies, and answers null for one RDS does not have', async () => {
    const instance = await databases.describeInstance('us-east-1', SOURCE);
    expect(instance).toMatchObject({
      identifier: SOURCE,
      status: 'available',
      engine: 'postgres',
      engineVersion: '15.4',
      clusterIdentifier: null,
      instanceClass: 'db.r6g.large',
      multiAZ: true,
      storageType: 'gp3',
      iops: 12000,
      storageThroughput: 500,
      subnetGroupName: `${SOURCE}-subnets`,
      vpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718', 'sg-0f1e2d3c4b5a69788'],
      parameterGroupName: `${SOURCE}-params`,
      optionGroupName: 'default:postgres-15',
      port: 5432,
      publiclyAccessible: false,
      deletionProtection: true,
      copyTagsToSnapshot: true,
      iamDatabaseAuthentication: true,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      tags: [{ key: 'Environment', value: 'production' }, { key: 'team', value: 'platform' }],
      endpoint: { address: expect.stringContaining(SOURCE), port: 5432 },
      backupRetentionDays: 7,
    });
    expect(instance?.latestRestorableTime?.getTime()).toBe(clock.now() - 5 * MINUTE);
    expect(await databases.describeInstance('us-east-1', 'nope')).toBeNull();
  });

  it('reads the restorable window from the automated backups, and null without them', async () => {
    rds.addInstance({ id: 'no-backups', backupRetentionDays: 0 });
    expect(await databases.restorableWindow('us-east-1', SOURCE)).toEqual({
      earliest: new Date(clock.now() - 7 * 24 * 60 * MINUTE),
      latest: new Date(clock.now() - 5 * MINUTE),
    });
    expect(await databases.restorableWindow('us-east-1', 'no-backups')).toBeNull();
  });

  it('takes a tagged snapshot that becomes available as the clock moves, the source backing up meanwhile', async () => {
    const snapshot = await databases.createSnapshot('us-east-1', SOURCE, 'before-migration', [{ key: 'rollback-bot:rollback-id', value: 'rb-1' }]);
    expect(snapshot).toMatchObject({ identifier: 'before-migration', instanceIdentifier: SOURCE, status: 'creating', type: 'manual' });
    expect(rds.callsTo('CreateDBSnapshot')[0]!.input).toEqual({
      DBSnapshotIdentifier: 'before-migration',
      DBInstanceIdentifier: SOURCE,
      Tags: [{ Key: 'rollback-bot:rollback-id', Value: 'rb-1' }],
    });
    expect((await databases.describeInstance('us-east-1', SOURCE))?.status).toBe('backing-up');
    clock.advance(8 * MINUTE);
    expect((await databases.describeSnapshot('us-east-1', 'before-migration'))?.status).toBe('available');
    expect((await databases.describeInstance('us-east-1', SOURCE))?.status).toBe('available');
    expect(await databases.describeSnapshot('us-east-1', 'nope')).toBeNull();
  });

  it('sends every copied setting in RestoreDBInstanceToPointInTime, so the new instance matches its source', async () => {
    const source = (await databases.describeInstance('us-east-1', SOURCE))!;
    const settings = settingsToCopy(source);
    const at = new Date(clock.now() - 30 * MINUTE);
    const restored = await databases.restoreToPointInTime('us-east-1', SOURCE, at, { targetInstance: 'restored', settings, tags: tagsWithMark(settings.tags, 'rb-1') });
    expect(restored).toMatchObject({ identifier: 'restored', status: 'creating', endpoint: null });
    expect(rds.callsTo('RestoreDBInstanceToPointInTime')[0]!.input).toEqual({
      SourceDBInstanceIdentifier: SOURCE,
      TargetDBInstanceIdentifier: 'restored',
      RestoreTime: at.toISOString().replace('.000Z', 'Z'),
      DBInstanceClass: 'db.r6g.large',
      MultiAZ: true,
      PubliclyAccessible: false,
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      EnableIAMDatabaseAuthentication: true,
      StorageType: 'gp3',
      Iops: 12000,
      StorageThroughput: 500,
      DBSubnetGroupName: `${SOURCE}-subnets`,
      VpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718', 'sg-0f1e2d3c4b5a69788'],
      DBParameterGroupName: `${SOURCE}-params`,
      OptionGroupName: 'default:postgres-15',
      Port: 5432,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      Tags: [
        { Key: 'Environment', Value: 'production' },
        { Key: 'team', Value: 'platform' },
        { Key: 'rollback-bot:rollback-id', Value: 'rb-1' },
      ],
    });
    clock.advance(30 * MINUTE);
    const available = (await databases.describeInstance('us-east-1', 'restored'))!;
    expect(available.status).toBe('available');
    const { tags: _sourceTags, ...sourceSettings } = settingsToCopy(source);
    const { tags, ...restoredSettings } = settingsToCopy(available);
    expect(restoredSettings).toEqual(sourceSettings);
    expect(tags.map((t) => t.key)).toEqual(['Environment', 'team']);
  });

  it('restores from a snapshot, and classifies RDS faults as conflicts, not-found and throttling', async () => {
    rds.addSnapshot({ id: 'nightly', instanceId: SOURCE });
    const settings = settingsToCopy((await databases.describeInstance('us-east-1', SOURCE))!);
    await databases.restoreFromSnapshot('us-east-1', 'nightly', { targetInstance: 'from-snap', settings, tags: [] });
    expect(rds.callsTo('RestoreDBInstanceFromDBSnapshot')[0]!.input).toMatchObject({ DBSnapshotIdentifier: 'nightly', DBInstanceIdentifier: 'from-snap', MultiAZ: true });

    expect((await rejection(databases.restoreFromSnapshot('us-east-1', 'nightly', { targetInstance: 'from-snap', settings, tags: [] }))).code).toBe('conflict');
    expect((await rejection(databases.restoreFromSnapshot('us-east-1', 'missing', { targetInstance: 'x', settings, tags: [] }))).code).toBe('not_found');
    await databases.createSnapshot('us-east-1', SOURCE, 'first', []);
    const busy = await rejection(databases.createSnapshot('us-east-1', SOURCE, 'second', []));
    expect(busy.code).toBe('conflict');
    expect(busy.message).toContain('RDS CreateDBSnapshot conflicts');
    rds.failNext('DescribeDBInstances', 'throttle', 2);
    expect((await databases.describeInstance('us-east-1', SOURCE))?.identifier).toBe(SOURCE);
    rds.failNext('DescribeDBInstances', 'throttle', 3);
    expect((await rejection(databases.describeInstance('us-east-1', SOURCE))).code).toBe('throttled');
    rds.failNext('DescribeDBSnapshots', { shape: 'AccessDenied', message: 'User: arn:aws:iam::1:user/bot is not authorized' });
    expect((await rejection(databases.describeSnapshot('us-east-1', 'nightly'))).code).toBe('access_denied');
  });

  it('lists an instance’s snapshots newest first across pages', async () => {
    for (let i = 0; i < 130; i++) rds.addSnapshot({ id: `s-${i}`, instanceId: SOURCE, type: i % 2 ? 'manual' : 'automated', createdAt: clock.now() - (130 - i) * MINUTE });
    rds.addSnapshot({ id: 'other', instanceId: 'another-db' });
    const listed = await databases.listSnapshots('us-east-1', SOURCE, 10);
    expect(listed.map((s) => s.identifier)).toEqual(Array.from({ length: 10 }, (_, i) => `s-${129 - i}`));
    expect(rds.callsTo('DescribeDBSnapshots')).toHaveLength(2);
  });
});
