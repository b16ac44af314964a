import {
  CreateDBSnapshotCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
  type DBSnapshot,
  type RDSClient,
  type Tag,
} from '@aws-sdk/client-rds';
import type { ResourceTag } from '../../domain/database-restore.js';
import { DatabasesError, type DatabaseInstance, type DatabaseSnapshot, type DatabasesPort, type RestoreRequest } from '../../ports/databases.js';
import { describeAwsError, type AwsErrorKind } from './aws-errors.js';

// DescribeDBSnapshots pages hold at most 100; an instance with 35 days of automated snapshots and manual ones fits in a few.
const PAGE_MAX = 100;
const MAX_PAGES = 5;

// RDS answers these with HTTP 400, which alone would read as an invalid request.
const CONFLICTS: Record<string, AwsErrorKind> = {
  InvalidDBInstanceStateFault: 'conflict',
  InvalidDBSnapshotStateFault: 'conflict',
  DBInstanceAlreadyExistsFault: 'conflict',
  DBSnapshotAlreadyExistsFault: 'conflict',
};

/** The DatabasesPort over the RDS API; `clientFor` hands out the (composition root's) client of a region. */
export function createRdsDatabases(clientFor: (region: string) => RDSClient): DatabasesPort {
  return {
    async describeInstance(region, identifier) {
      const answer = await orNull(() => call('DescribeDBInstances', () => clientFor(region).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }))));
      const found = answer?.DBInstances?.find((i) => i.DBInstanceIdentifier?.toLowerCase() === identifier.toLowerCase());
      return found ? toInstance(found) : null;
    },

    async restorableWindow(region, identifier) {
      const answer = await orNull(() =>
        call('DescribeDBInstanceAutomatedBackups', () =>
          clientFor(region).send(new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: identifier })),
        ),
      );
      // Backups retained from a deleted instance of the same name are `retained`; only the live instance's count.
      const active = answer?.DBInstanceAutomatedBackups?.find((b) => b.Status === 'active' && b.RestoreWindow?.EarliestTime);
      const window = active?.RestoreWindow;
      return window?.EarliestTime ? { earliest: window.EarliestTime, latest: window.LatestTime ?? null } : null;
    },

    async describeSnapshot(region, identifier) {
      const answer = await orNull(() => call('DescribeDBSnapshots', () => clientFor(region).send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }))));
      const found = answer?.DBSnapshots?.[0];
      return found ? toSnapshot(found) : null;
    },

    async listSnapshots(region, instance, limit) {
      const snapshots: DatabaseSnapshot[] = [];
      let marker: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await call('DescribeDBSnapshots', () =>
          clientFor(region).send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: instance, MaxRecords: PAGE_MAX, Marker: marker })),
        );
        snapshots.push(...(answer.DBSnapshots ?? []).map(toSnapshot));
        marker = answer.Marker;
        if (!marker) break;
      }
      return snapshots.sort((a, b) => (b.createdAt?.getTime() ?? Infinity) - (a.createdAt?.getTime() ?? Infinity)).slice(0, limit);
    },

    async createSnapshot(region, instance, snapshot, tags) {
      const input = { DBSnapshotIdentifier: snapshot, DBInstanceIdentifier: instance, ...(tags.length > 0 ? { Tags: tags.map(toTag) } : {}) };
      const answer = await call('CreateDBSnapshot', () => clientFor(region).send(new CreateDBSnapshotCommand(input)), CONFLICTS);
      if (!answer.DBSnapshot) throw new DatabasesError('unavailable', 'RDS CreateDBSnapshot answered without the snapshot', 'CreateDBSnapshot');
      return toSnapshot(answer.DBSnapshot);
    },

    async restoreToPointInTime(region, source, restoreTime, request) {
      const input = { SourceDBInstanceIdentifier: source, TargetDBInstanceIdentifier: request.targetInstance, RestoreTime: restoreTime, ...restoreSettings(request) };
      const answer = await call('RestoreDBInstanceToPointInTime', () => clientFor(region).send(new RestoreDBInstanceToPointInTimeCommand(input)), CONFLICTS);
      return restoredInstance(answer.DBInstance, 'RestoreDBInstanceToPointInTime');
    },

    async restoreFromSnapshot(region, snapshot, request) {
      const input = { DBSnapshotIdentifier: snapshot, DBInstanceIdentifier: request.targetInstance, ...restoreSettings(request) };
      const answer = await call('RestoreDBInstanceFromDBSnapshot', () => clientFor(region).send(new RestoreDBInstanceFromDBSnapshotCommand(input)), CONFLICTS);
      return restoredInstance(answer.DBInstance, 'RestoreDBInstanceFromDBSnapshot');
    },
  };
}

/** The members both restore calls share: every setting the API would otherwise default. */
function restoreSettings({ settings: s, tags }: RestoreRequest) {
  return {
    DBInstanceClass: s.instanceClass,
    MultiAZ: s.multiAZ,
    PubliclyAccessible: s.publiclyAccessible,
    DeletionProtection: s.deletionProtection,
    CopyTagsToSnapshot: s.copyTagsToSnapshot,
    EnableIAMDatabaseAuthentication: s.iamDatabaseAuthentication,
    ...(s.storageType ? { StorageType: s.storageType } : {}),
    ...(s.iops ? { Iops: s.iops } : {}),
    ...(s.storageThroughput ? { StorageThroughput: s.storageThroughput } : {}),
    ...(s.subnetGroupName ? { DBSubnetGroupName: s.subnetGroupName } : {}),
    ...(s.vpcSecurityGroupIds.length > 0 ? { VpcSecurityGroupIds: s.vpcSecurityGroupIds } : {}),
    ...(s.parameterGroupName ? { DBParameterGroupName: s.parameterGroupName } : {}),
    ...(s.optionGroupName ? { OptionGroupName: s.optionGroupName } : {}),
    ...(s.port ? { Port: s.port } : {}),
    ...(s.cloudwatchLogsExports.length > 0 ? { EnableCloudwatchLogsExports: s.cloudwatchLogsExports } : {}),
    ...(tags.length > 0 ? { Tags: tags.map(toTag) } : {}),
  };
}

function restoredInstance(instance: DBInstance | undefined, operation: string): DatabaseInstance {
  if (!instance) throw new DatabasesError('unavailable', `RDS ${operation} answered without the instance`, operation);
  return toInstance(instance);
}

function toInstance(i: DBInstance): DatabaseInstance {
  return {
    identifier: i.DBInstanceIdentifier ?? '',
    arn: i.DBInstanceArn ?? '',
    status: i.DBInstanceStatus ?? 'unknown',
    engine: i.Engine ?? '',
    engineVersion: i.EngineVersion ?? '',
    clusterIdentifier: i.DBClusterIdentifier ?? null,
    instanceClass: i.DBInstanceClass ?? '',
    multiAZ: i.MultiAZ ?? false,
    storageType: i.StorageType ?? null,
    iops: i.Iops ?? null,
    storageThroughput: i.StorageThroughput ?? null,
    subnetGroupName: i.DBSubnetGroup?.DBSubnetGroupName ?? null,
    vpcSecurityGroupIds: (i.VpcSecurityGroups ?? []).filter((g) => g.Status !== 'removing' && g.VpcSecurityGroupId).map((g) => g.VpcSecurityGroupId!),
    parameterGroupName: i.DBParameterGroups?.[0]?.DBParameterGroupName ?? null,
    optionGroupName: i.OptionGroupMemberships?.[0]?.OptionGroupName ?? null,
    port: i.Endpoint?.Port ?? null,
    publiclyAccessible: i.PubliclyAccessible ?? false,
    deletionProtection: i.DeletionProtection ?? false,
    copyTagsToSnapshot: i.CopyTagsToSnapshot ?? false,
    iamDatabaseAuthentication: i.IAMDatabaseAuthenticationEnabled ?? false,
    cloudwatchLogsExports: i.EnabledCloudwatchLogsExports ?? [],
    tags: fromTags(i.TagList),
    endpoint: i.Endpoint?.Address && i.Endpoint.Port !== undefined ? { address: i.Endpoint.Address, port: i.Endpoint.Port } : null,
    latestRestorableTime: i.LatestRestorableTime ?? null,
    backupRetentionDays: i.BackupRetentionPeriod ?? 0,
  };
}

function toSnapshot(s: DBSnapshot): DatabaseSnapshot {
  return {
    identifier: s.DBSnapshotIdentifier ?? '',
    instanceIdentifier: s.DBInstanceIdentifier ?? '',
    status: s.Status ?? 'unknown',
    type: s.SnapshotType ?? 'unknown',
    createdAt: s.SnapshotCreateTime ?? null,
    percentProgress: s.PercentProgress ?? null,
    engine: s.Engine ?? '',
    tags: fromTags(s.TagList),
  };
}

function fromTags(tags: Tag[] | undefined): ResourceTag[] {
  return (tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [{ key: t.Key, value: t.Value ?? '' }]));
}

function toTag(tag: ResourceTag): Tag {
  return { Key: tag.key, Value: tag.value };
}

async function orNull<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DatabasesError && error.code === 'not_found') return null;
    throw error;
  }
}

async function call<T>(operation: string, run: () => Promise<T>, overrides?: Record<string, AwsErrorKind>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const failure = describeAwsError(error, 'RDS', operation, overrides);
    throw new DatabasesError(failure.kind, failure.message, operation, 'cause' in failure ? { cause: failure.cause } : undefined);
  }
}
