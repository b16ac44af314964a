import type { FakeInstance, FakeRdsState, FakeSnapshot, WireTag } from './fake-rds-state.js';

/** An error the fake answers as RDS does, named by its model shape (the codec finds its code and HTTP status). */
export class RdsApiError extends Error {
  constructor(
    readonly shape: string,
    message: string,
  ) {
    super(message);
  }
}

type Input = Record<string, unknown>;
type Handler = (state: FakeRdsState, input: Input) => Record<string, unknown>;

const RESTORE_SETTINGS: Record<string, keyof FakeInstance> = {
  DBInstanceClass: 'instanceClass',
  MultiAZ: 'multiAZ',
  StorageType: 'storageType',
  Iops: 'iops',
  StorageThroughput: 'storageThroughput',
  DBSubnetGroupName: 'subnetGroup',
  VpcSecurityGroupIds: 'securityGroups',
  DBParameterGroupName: 'parameterGroup',
  OptionGroupName: 'optionGroup',
  Port: 'port',
  PubliclyAccessible: 'publiclyAccessible',
  DeletionProtection: 'deletionProtection',
  CopyTagsToSnapshot: 'copyTagsToSnapshot',
  EnableIAMDatabaseAuthentication: 'iamAuth',
  EnableCloudwatchLogsExports: 'logExports',
  Tags: 'tags',
};

/** The operations the fake implements, by name. */
export const OPERATIONS: Record<string, Handler> = {
  DescribeDBInstances(state, input) {
    const id = input['DBInstanceIdentifier'] as string | undefined;
    if (id !== undefined) return { DBInstances: [instanceXml(state, requireInstance(state, id))] };
    return { DBInstances: [...state.instances.values()].map((i) => instanceXml(state, i)) };
  },

  DescribeDBInstanceAutomatedBackups(state, input) {
    const id = input['DBInstanceIdentifier'] as string | undefined;
    const instances = [...state.instances.values()].filter((i) => (id === undefined || i.id === id) && i.backupRetentionDays > 0);
    if (id !== undefined && instances.length === 0) throw new RdsApiError('DBInstanceAutomatedBackupNotFoundFault', `No automated backups for ${id}.`);
    return {
      DBInstanceAutomatedBackups: instances.map((i) => ({
        DBInstanceArn: i.arn,
        DBInstanceIdentifier: i.id,
        Region: state.region,
        Status: 'active',
        Engine: i.engine,
        BackupRetentionPeriod: i.backupRetentionDays,
        RestoreWindow: { EarliestTime: new Date(i.earliestRestorable), LatestTime: new Date(state.latestRestorable()) },
      })),
    };
  },

  DescribeDBSnapshots(state, input) {
    const id = input['DBSnapshotIdentifier'] as string | undefined;
    if (id !== undefined) {
      const snapshot = state.snapshots.get(id);
      if (!snapshot) throw new RdsApiError('DBSnapshotNotFoundFault', `DBSnapshot ${id} not found.`);
      return { DBSnapshots: [snapshotXml(state, snapshot)] };
    }
    const instance = input['DBInstanceIdentifier'] as string | undefined;
    const type = input['SnapshotType'] as string | undefined;
    const all = [...state.snapshots.values()].filter((s) => (instance === undefined || s.instanceId === instance) && (type === undefined || s.type === type));
    const start = Number(input['Marker'] ?? 0);
    const size = (input['MaxRecords'] as number | undefined) ?? 100;
    if (size < 20 || size > 100) throw new RdsApiError('InvalidParameterValue', 'MaxRecords must be between 20 and 100.');
    const page = all.slice(start, start + size);
    return { DBSnapshots: page.map((s) => snapshotXml(state, s)), ...(start + size < all.length ? { Marker: String(start + size) } : {}) };
  },

  CreateDBSnapshot(state, input) {
    const id = input['DBSnapshotIdentifier'] as string;
    const instance = requireInstance(state, input['DBInstanceIdentifier'] as string);
    if (state.snapshots.has(id)) throw new RdsApiError('DBSnapshotAlreadyExistsFault', `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`);
    const status = state.statusOf(instance);
    if (status !== 'available') throw new RdsApiError('InvalidDBInstanceStateFault', `Cannot create a snapshot because the database instance ${instance.id} is not currently in the available state (${status}).`);
    return { DBSnapshot: snapshotXml(state, state.takeSnapshot(instance, id, (input['Tags'] as WireTag[] | undefined) ?? [])) };
  },

  RestoreDBInstanceToPointInTime(state, input) {
    const source = requireInstance(state, input['SourceDBInstanceIdentifier'] as string);
    const target = input['TargetDBInstanceIdentifier'] as string;
    refuseExisting(state, target);
    const at = Date.parse(input['RestoreTime'] as string);
    if (Number.isNaN(at) || at < source.earliestRestorable || at > state.latestRestorable()) {
      throw new RdsApiError('InvalidRestoreFault', `Restore time ${String(input['RestoreTime'])} is outside the restorable window of ${source.id}.`);
    }
    const instance = state.restoreInstance(target, source, settingsOf(input), { operation: 'RestoreDBInstanceToPointInTime', input });
    return { DBInstance: instanceXml(state, instance) };
  },

  RestoreDBInstanceFromDBSnapshot(state, input) {
    const id = input['DBSnapshotIdentifier'] as string;
    const snapshot = state.snapshots.get(id);
    if (!snapshot) throw new RdsApiError('DBSnapshotNotFoundFault', `DBSnapshot ${id} not found.`);
    if (state.snapshotStatusOf(snapshot) !== 'available') throw new RdsApiError('InvalidDBSnapshotStateFault', `Snapshot ${id} is not available.`);
    const target = input['DBInstanceIdentifier'] as string;
    refuseExisting(state, target);
    const instance = state.restoreInstance(target, snapshot, settingsOf(input), { operation: 'RestoreDBInstanceFromDBSnapshot', input });
    return { DBInstance: instanceXml(state, instance) };
  },
};

function requireInstance(state: FakeRdsState, id: string): FakeInstance {
  const instance = state.instances.get(id);
  if (!instance) throw new RdsApiError('DBInstanceNotFoundFault', `DBInstance ${id} not found.`);
  return instance;
}

function refuseExisting(state: FakeRdsState, id: string): void {
  if (state.instances.has(id)) throw new RdsApiError('DBInstanceAlreadyExistsFault', `DB instance already exists: ${id}`);
}

function settingsOf(input: Input): Partial<FakeInstance> {
  const settings: Record<string, unknown> = {};
  for (const [member, field] of Object.entries(RESTORE_SETTINGS)) if (input[member] !== undefined) settings[field] = input[member];
  return settings as Partial<FakeInstance>;
}

/** DBInstance as RDS writes it. */
export function instanceXml(state: FakeRdsState, i: FakeInstance): Record<string, unknown> {
  const status = state.statusOf(i);
  return {
    DBInstanceIdentifier: i.id,
    DBInstanceArn: i.arn,
    DBInstanceClass: i.instanceClass,
    Engine: i.engine,
    EngineVersion: i.engineVersion,
    DBInstanceStatus: status,
    AllocatedStorage: i.allocatedStorage,
    InstanceCreateTime: new Date(i.createdAt),
    ...(status === 'creating' ? {} : { Endpoint: { Address: `${i.id}.c9akciq32.${state.region}.rds.amazonaws.com`, Port: i.port, HostedZoneId: 'Z2R2ITUGPM61AM' } }),
    BackupRetentionPeriod: i.backupRetentionDays,
    ...(i.backupRetentionDays > 0 && status !== 'creating' ? { LatestRestorableTime: new Date(state.latestRestorable()) } : {}),
    VpcSecurityGroups: i.securityGroups.map((id) => ({ VpcSecurityGroupId: id, Status: 'active' })),
    DBParameterGroups: [{ DBParameterGroupName: i.parameterGroup, ParameterApplyStatus: 'in-sync' }],
    DBSubnetGroup: { DBSubnetGroupName: i.subnetGroup, VpcId: 'vpc-0123456789abcdef0', SubnetGroupStatus: 'Complete' },
    OptionGroupMemberships: [{ OptionGroupName: i.optionGroup, Status: 'in-sync' }],
    MultiAZ: i.multiAZ,
    StorageType: i.storageType,
    ...(i.iops === null ? {} : { Iops: i.iops }),
    ...(i.storageThroughput === null ? {} : { StorageThroughput: i.storageThroughput }),
    PubliclyAccessible: i.publiclyAccessible,
    DeletionProtection: i.deletionProtection,
    CopyTagsToSnapshot: i.copyTagsToSnapshot,
    IAMDatabaseAuthenticationEnabled: i.iamAuth,
    EnabledCloudwatchLogsExports: i.logExports,
    ...(i.clusterId ? { DBClusterIdentifier: i.clusterId } : {}),
    TagList: i.tags,
  };
}

/** DBSnapshot as RDS writes it. */
export function snapshotXml(state: FakeRdsState, s: FakeSnapshot): Record<string, unknown> {
  const status = state.snapshotStatusOf(s);
  const total = Math.max(1, s.availableAt - s.createdAt);
  const progress = status === 'creating' ? Math.floor(((state.clock.now() - s.createdAt) / total) * 100) : 100;
  return {
    DBSnapshotIdentifier: s.id,
    DBSnapshotArn: s.arn,
    DBInstanceIdentifier: s.instanceId,
    SnapshotCreateTime: new Date(s.createdAt),
    Engine: s.engine,
    EngineVersion: s.engineVersion,
    Status: status,
    SnapshotType: s.type,
    PercentProgress: progress,
    TagList: s.tags,
  };
}
