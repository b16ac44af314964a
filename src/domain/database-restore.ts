/** What `/rollback db … to <target>` asked for. */
export type RestoreTarget = { kind: 'time'; at: Date } | { kind: 'snapshot'; snapshotId: string };

/**
 * The settings of a DB instance that RestoreDBInstance* would otherwise leave to AWS's defaults (the
 * default VPC security group, subnet group, parameter and option groups, Single-AZ…), as DescribeDBInstances gives them.
 */
export interface InstanceSettings {
  identifier: string;
  engine: string;
  engineVersion: string;
  /** Set when the instance belongs to an Aurora cluster. */
  clusterIdentifier: string | null;
  instanceClass: string;
  multiAZ: boolean;
  storageType: string | null;
  iops: number | null;
  storageThroughput: number | null;
  subnetGroupName: string | null;
  /** Active VPC security groups. */
  vpcSecurityGroupIds: string[];
  parameterGroupName: string | null;
  optionGroupName: string | null;
  port: number | null;
  publiclyAccessible: boolean;
  deletionProtection: boolean;
  copyTagsToSnapshot: boolean;
  iamDatabaseAuthentication: boolean;
  cloudwatchLogsExports: string[];
  tags: ResourceTag[];
}

/** An RDS tag. */
export interface ResourceTag {
  key: string;
  value: string;
}

/** What the restore call sets explicitly, copied from the source when the request was planned. */
export type CopiedSettings = Omit<InstanceSettings, 'identifier' | 'engine' | 'engineVersion' | 'clusterIdentifier'>;

/** Everything a database rollback will do, worked out (and shown) before anyone is asked to confirm. */
export interface DatabaseRestorePlan {
  /** Our config's short name, e.g. `main`. */
  database: string;
  sourceInstance: string;
  engine: string;
  engineVersion: string;
  /** Times are ISO-8601 strings: the plan is stored as JSON. */
  target:
    | { kind: 'time'; restoreTime: string; earliest: string; latest: string }
    | { kind: 'snapshot'; snapshotId: string; snapshotCreatedAt: string | null };
  /** The new instance; the source is never modified. */
  targetInstance: string;
  /** Taken of the source before the restore. */
  preRestoreSnapshot: string;
  settings: CopiedSettings;
}

/** The tag that marks what the bot created, with the rollback's id as its value. */
export const ROLLBACK_TAG = 'rollback-bot:rollback-id';
/** How often the bot asks RDS how a snapshot or restore is going; restores take 10 to 60+ minutes. */
export const RESTORE_POLL_MS = 30_000;
/** A progress reply in the thread at least this often while waiting, even when nothing changed. */
export const RESTORE_PROGRESS_MS = 5 * 60_000;

const MAX_INSTANCE_ID = 63;
const MAX_TAGS = 50;
const SNAPSHOT_TARGET = /^snapshot:([A-Za-z][A-Za-z0-9:-]{0,254})$/;
// RDS's terminal or stuck states for a new instance; none of them turns into `available` on its own.
const FAILED_INSTANCE_STATES = new Set([
  'failed',
  'incompatible-network',
  'incompatible-option-group',
  'incompatible-parameters',
  'incompatible-restore',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'restore-error',
  'storage-full',
  'deleting',
  'delete-precheck',
]);

/** The pseudo-service a database rollback holds, so the per-service lock and history cover databases too. */
export function databaseLockName(database: string): string {
  return `db:${database}`;
}

/** Reads the `to` word of `/rollback db`: `snapshot:<id>`, or an ISO-8601 time with a zone. */
export function parseRestoreTarget(word: string): RestoreTarget | null {
  const snapshot = SNAPSHOT_TARGET.exec(word);
  if (snapshot) return { kind: 'snapshot', snapshotId: snapshot[1]! };
  const at = new Date(word);
  return Number.isNaN(at.getTime()) ? null : { kind: 'time', at };
}

/** `yyyymmddhhmm` in UTC. */
export function minuteStamp(at: Date): string {
  return at.toISOString().replace(/[-:T]/g, '').slice(0, 12);
}

/**
 * The new instance's identifier, `<source>-rb-<yyyymmddhhmm>`: a valid RDS identifier (a letter first,
 * at most 63 letters, digits and hyphens, no trailing or doubled hyphen), the source shortened to fit.
 */
export function restoredInstanceId(source: string, at: Date): string {
  const suffix = `-rb-${minuteStamp(at)}`;
  const base = validIdentifierPart(source).slice(0, MAX_INSTANCE_ID - suffix.length).replace(/-+$/, '');
  return `${base || 'db'}${suffix}`;
}

/** The snapshot taken of the source before a restore; the rollback's id makes it unique and findable after a restart. */
export function preRestoreSnapshotId(source: string, rollbackId: string): string {
  return `${validIdentifierPart(source)}-pre-${validIdentifierPart(rollbackId)}`;
}

/** A manual snapshot's identifier, `<source>-manual-<yyyymmddhhmmss>`. */
export function manualSnapshotId(source: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${validIdentifierPart(source)}-manual-${stamp}`;
}

function validIdentifierPart(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-{2,}/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '');
}

/** Why an instance cannot be restored by this version, or null when it can. */
export function unsupportedSource(instance: Pick<InstanceSettings, 'identifier' | 'engine' | 'clusterIdentifier'>): string | null {
  if (instance.clusterIdentifier !== null || instance.engine.startsWith('aurora')) {
    const cluster = instance.clusterIdentifier ? ` (cluster \`${instance.clusterIdentifier}\`)` : '';
    return `\`${instance.identifier}\` is an Aurora instance${cluster}. Aurora restores (RestoreDBClusterToPointInTime, then CreateDBInstance) are not supported yet; restore it from the RDS console or CLI.`;
  }
  return null;
}

/** Whether `at` lies in RDS's restorable window; the problem in words when it does not. */
export function checkRestoreWindow(at: Date, window: { earliest: Date | null; latest: Date | null }, now: Date): { ok: true } | { ok: false; problem: string } {
  const when = formatUtc(at);
  if (!window.latest || !window.earliest) {
    return { ok: false, problem: 'This instance has no point-in-time recovery window (automated backups are off). Restore a snapshot instead: `to snapshot:<id>`.' };
  }
  const range = `The restorable window is ${formatUtc(window.earliest)} to ${formatUtc(window.latest)}.`;
  if (at.getTime() > now.getTime()) return { ok: false, problem: `${when} is in the future. ${range}` };
  if (at.getTime() < window.earliest.getTime()) return { ok: false, problem: `${when} is before the earliest restorable time. ${range}` };
  if (at.getTime() > window.latest.getTime()) {
    return { ok: false, problem: `${when} is after the latest restorable time (RDS lags a few minutes behind). ${range}` };
  }
  return { ok: true };
}

/** The settings a restore copies from its source, so the new instance matches it instead of AWS's defaults. */
export function settingsToCopy(source: InstanceSettings): CopiedSettings {
  const settings = {
    instanceClass: source.instanceClass,
    multiAZ: source.multiAZ,
    storageType: source.storageType,
    iops: source.iops,
    storageThroughput: source.storageThroughput,
    subnetGroupName: source.subnetGroupName,
    vpcSecurityGroupIds: source.vpcSecurityGroupIds,
    parameterGroupName: source.parameterGroupName,
    optionGroupName: source.optionGroupName,
    port: source.port,
    publiclyAccessible: source.publiclyAccessible,
    deletionProtection: source.deletionProtection,
    copyTagsToSnapshot: source.copyTagsToSnapshot,
    iamDatabaseAuthentication: source.iamDatabaseAuthentication,
    cloudwatchLogsExports: source.cloudwatchLogsExports,
    tags: source.tags,
  } satisfies CopiedSettings;
  // gp3 below its size threshold reports a 3000 IOPS / 125 MiB/s baseline that RDS applies by itself and refuses as a request.
  const gp3Baseline = settings.storageType === 'gp3' && settings.iops === 3000 && settings.storageThroughput === 125;
  const provisioned = ['io1', 'io2', 'gp3'].includes(settings.storageType ?? '') && !gp3Baseline;
  return {
    ...settings,
    iops: provisioned ? settings.iops : null,
    storageThroughput: provisioned && settings.storageType === 'gp3' ? settings.storageThroughput : null,
    vpcSecurityGroupIds: [...settings.vpcSecurityGroupIds],
    cloudwatchLogsExports: [...settings.cloudwatchLogsExports],
    tags: restorableTags(settings.tags),
  };
}

/** The source's tags minus those AWS reserves (`aws:`, `rds:`) and any earlier mark of this bot. */
function restorableTags(tags: ResourceTag[]): ResourceTag[] {
  return tags.filter((t) => !/^(aws|rds):/i.test(t.key) && t.key !== ROLLBACK_TAG).map((t) => ({ ...t }));
}

/** The copied tags plus the bot's mark, when RDS's 50-tag limit leaves room for it. */
export function tagsWithMark(tags: ResourceTag[], rollbackId: string): ResourceTag[] {
  return tags.length < MAX_TAGS ? [...tags, { key: ROLLBACK_TAG, value: rollbackId }] : tags;
}

/** Where a new instance stands: done, still on its way, or stuck in a state RDS will not leave by itself. */
export function instanceProgress(status: string): 'available' | 'waiting' | 'failed' {
  if (status === 'available') return 'available';
  return FAILED_INSTANCE_STATES.has(status) ? 'failed' : 'waiting';
}

/** Where a snapshot stands. */
export function snapshotProgress(status: string): 'available' | 'waiting' | 'failed' {
  if (status === 'available') return 'available';
  return status === 'failed' || status === 'error' || status === 'deleting' ? 'failed' : 'waiting';
}

/** The copied settings in one line, for prompts and announcements. */
export function describeSettings(s: CopiedSettings): string {
  const storage = [s.storageType ?? 'default storage', s.iops ? `${s.iops} IOPS` : '', s.storageThroughput ? `${s.storageThroughput} MiB/s` : ''].filter(Boolean).join(' ');
  return [
    s.instanceClass,
    s.multiAZ ? 'Multi-AZ' : 'Single-AZ',
    storage,
    `subnet group ${s.subnetGroupName ?? '(none)'}`,
    `security groups ${s.vpcSecurityGroupIds.join(', ') || '(none)'}`,
    `parameter group ${s.parameterGroupName ?? '(default)'}`,
    ...(s.optionGroupName ? [`option group ${s.optionGroupName}`] : []),
    ...(s.port ? [`port ${s.port}`] : []),
    s.publiclyAccessible ? 'publicly accessible' : 'not publicly accessible',
    ...(s.deletionProtection ? ['deletion protection'] : []),
    `${s.tags.length} tag${s.tags.length === 1 ? '' : 's'}`,
  ].join(', ');
}

/** `2026-11-22 02:30:00 UTC` */
export function formatUtc(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
