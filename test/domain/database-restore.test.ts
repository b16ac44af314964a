import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkRestoreWindow,
  instanceProgress,
  manualSnapshotId,
  parseRestoreTarget,
  preRestoreSnapshotId,
  restoredInstanceId,
  settingsToCopy,
  snapshotProgress,
  tagsWithMark,
  unsupportedSource,
  type InstanceSettings,
} from '../../src/domain/database-restore.js';

const AT = new Date('2026-11-22T03:07:45Z');
const VALID_INSTANCE_ID = /^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$/;

const SOURCE: InstanceSettings = {
  identifier: 'shieldai-production-db',
  engine: 'postgres',
  engineVersion: '15.4',
  clusterIdentifier: null,
  instanceClass: 'db.r6g.large',
  multiAZ: true,
  storageType: 'gp3',
  iops: 12000,
  storageThroughput: 500,
  subnetGroupName: 'db-subnets',
  vpcSecurityGroupIds: ['sg-1', 'sg-2'],
  parameterGroupName: 'db-params',
  optionGroupName: 'default:postgres-15',
  port: 5432,
  publiclyAccessible: false,
  deletionProtection: true,
  copyTagsToSnapshot: true,
  iamDatabaseAuthentication: false,
  cloudwatchLogsExports: ['postgresql'],
  tags: [
    { key: 'team', value: 'platform' },
    { key: 'aws:cloudformation:stack-name', value: 'db' },
    { key: 'rollback-bot:rollback-id', value: 'rb-old' },
  ],
};

describe('the restored instance and snapshot names', () => {
  it('names the new instance <source>-rb-<yyyymmddhhmm> in UTC', () => {
    expect(restoredInstanceId('shieldai-production-db', AT)).toBe('shieldai-production-db-rb-202611220307');
  });

  it('shortens a long source to stay a valid identifier of at most 63 characters, without a trailing or doubled hyphen', () => {
    const long = `a${'-b'.repeat(40)}`;
    const id = restoredInstanceId(long, AT);
    expect(id.length).toBeLessThanOrEqual(63);
    expect(id).toMatch(VALID_INSTANCE_ID);
    expect(id.endsWith('-rb-202611220307')).toBe(true);
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,62}$/), fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (source, at) => {
        const made = restoredInstanceId(source, at);
        return made.length <= 63 && VALID_INSTANCE_ID.test(made);
      }),
    );
  });

  it('names the pre-restore snapshot after the rollback, and manual snapshots to the second', () => {
    expect(preRestoreSnapshotId('shieldai-production-db', 'rb-202611220300-3fa9c1')).toBe('shieldai-production-db-pre-rb-202611220300-3fa9c1');
    expect(manualSnapshotId('shieldai-production-db', AT)).toBe('shieldai-production-db-manual-20261122030745');
  });
});

describe('the restore target and its window', () => {
  it('reads snapshot:<id> (automated ids included) and ISO times', () => {
    expect(parseRestoreTarget('snapshot:rds:shieldai-production-db-2026-11-22-02-00')).toEqual({ kind: 'snapshot', snapshotId: 'rds:shieldai-production-db-2026-11-22-02-00' });
    expect(parseRestoreTarget('2026-11-22T02:30:00+01:00')).toEqual({ kind: 'time', at: new Date('2026-11-22T01:30:00Z') });
    expect(parseRestoreTarget('yesterday')).toBeNull();
  });

  it('accepts a time inside the window and explains each way of missing it', () => {
    const window = { earliest: new Date('2026-11-15T03:00:00Z'), latest: new Date('2026-11-22T02:55:00Z') };
    const now = new Date('2026-11-22T03:00:00Z');
    expect(checkRestoreWindow(new Date('2026-11-20T00:00:00Z'), window, now)).toEqual({ ok: true });
    expect(checkRestoreWindow(window.earliest, window, now)).toEqual({ ok: true });
    expect(checkRestoreWindow(new Date('2026-11-14T23:00:00Z'), window, now)).toEqual({
      ok: false,
      problem: '2026-11-14 23:00:00 UTC is before the earliest restorable time. The restorable window is 2026-11-15 03:00:00 UTC to 2026-11-22 02:55:00 UTC.',
    });
    expect(checkRestoreWindow(new Date('2026-11-22T02:58:00Z'), window, now)).toMatchObject({ ok: false, problem: expect.stringContaining('after the latest restorable time') });
    expect(checkRestoreWindow(new Date('2026-11-22T04:00:00Z'), window, now)).toMatchObject({ ok: false, problem: expect.stringContaining('in the future') });
    expect(checkRestoreWindow(new Date('2026-11-20T00:00:00Z'), { earliest: null, latest: null }, now)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('automated backups are off'),
    });
  });
});

describe('what a restore copies', () => {
  it('copies every setting the API would default, and the tags AWS lets it set', () => {
    const copied = settingsToCopy(SOURCE);
    expect(copied).toEqual({
      instanceClass: 'db.r6g.large',
      multiAZ: true,
      storageType: 'gp3',
      iops: 12000,
      storageThroughput: 500,
      subnetGroupName: 'db-subnets',
      vpcSecurityGroupIds: ['sg-1', 'sg-2'],
      parameterGroupName: 'db-params',
      optionGroupName: 'default:postgres-15',
      port: 5432,
      publiclyAccessible: false,
      deletionProtection: true,
      copyTagsToSnapshot: true,
      iamDatabaseAuthentication: false,
      cloudwatchLogsExports: ['postgresql'],
      tags: [{ key: 'team', value: 'platform' }],
    });
    expect(tagsWithMark(copied.tags, 'rb-new')).toEqual([{ key: 'team', value: 'platform' }, { key: 'rollback-bot:rollback-id', value: 'rb-new' }]);
  });

  it('leaves out the gp3 baseline RDS refuses below its size threshold, and IOPS on storage without them', () => {
    expect(settingsToCopy({ ...SOURCE, iops: 3000, storageThroughput: 125 })).toMatchObject({ iops: null, storageThroughput: null });
    expect(settingsToCopy({ ...SOURCE, storageType: 'io1', iops: 20000, storageThroughput: null })).toMatchObject({ iops: 20000, storageThroughput: null });
    expect(settingsToCopy({ ...SOURCE, storageType: 'gp2', iops: 1500, storageThroughput: null })).toMatchObject({ iops: null, storageThroughput: null });
  });

  it('keeps within the 50-tag limit by leaving its own mark out', () => {
    const tags = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(tagsWithMark(tags, 'rb-1')).toHaveLength(50);
  });
});

describe('sources and states', () => {
  it('refuses Aurora instances with a clear not-supported-yet', () => {
    expect(unsupportedSource(SOURCE)).toBeNull();
    expect(unsupportedSource({ ...SOURCE, clusterIdentifier: 'orders' })).toMatch(/Aurora instance \(cluster `orders`\).*not supported yet/);
    expect(unsupportedSource({ ...SOURCE, engine: 'aurora-mysql' })).toMatch(/not supported yet/);
  });

  it('tells waiting from done from stuck', () => {
    expect(['creating', 'backing-up', 'modifying', 'configuring-enhanced-monitoring'].map(instanceProgress)).toEqual(['waiting', 'waiting', 'waiting', 'waiting']);
    expect(instanceProgress('available')).toBe('available');
    expect(['failed', 'incompatible-parameters', 'incompatible-network', 'restore-error', 'storage-full'].map(instanceProgress)).toEqual(Array(5).fill('failed'));
    expect([snapshotProgress('creating'), snapshotProgress('available'), snapshotProgress('failed')]).toEqual(['waiting', 'available', 'failed']);
  });
});
