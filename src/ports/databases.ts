import type { CopiedSettings, InstanceSettings, ResourceTag } from '../domain/database-restore.js';

/** A DB instance as DescribeDBInstances reports it, reduced to what planning and watching a restore need. */
export interface DatabaseInstance extends InstanceSettings {
  arn: string;
  /** `available`, `creating`, `backing-up`, `modifying`… */
  status: string;
  /** Set once RDS has given the instance an address (not while `creating`). */
  endpoint: { address: string; port: number } | null;
  latestRestorableTime: Date | null;
  backupRetentionDays: number;
}

/** A DB snapshot as DescribeDBSnapshots reports it. */
export interface DatabaseSnapshot {
  identifier: string;
  /** The instance it was taken of. */
  instanceIdentifier: string;
  /** `creating`, `available`, `failed`… */
  status: string;
  /** `manual`, `automated`, `awsbackup`… */
  type: string;
  createdAt: Date | null;
  percentProgress: number | null;
  engine: string;
  tags: ResourceTag[];
}

/** What a restore into a new instance needs, on top of where it comes from. */
export interface RestoreRequest {
  targetInstance: string;
  settings: CopiedSettings;
  /** Copied tags and the bot's own mark. */
  tags: ResourceTag[];
}

/** Why an RDS call failed, in words the core can act on. */
export type DatabasesErrorCode = 'not_found' | 'access_denied' | 'invalid_request' | 'throttled' | 'unsupported' | 'conflict' | 'unavailable';

/** A failed RDS call. `message` is safe to show a user: it never contains credentials. */
export class DatabasesError extends Error {
  override readonly name = 'DatabasesError';
  constructor(
    readonly code: DatabasesErrorCode,
    message: string,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What the core needs from RDS. Every method may throw DatabasesError; lookups by identifier answer null for one RDS does not have. */
export interface DatabasesPort {
  /** DescribeDBInstances of one instance. */
  describeInstance(region: string, identifier: string): Promise<DatabaseInstance | null>;

  /**
   * DescribeDBInstanceAutomatedBackups: the instance's point-in-time window (DescribeDBInstances has only its
   * latest end), or null when it has no automated backups.
   */
  restorableWindow(region: string, identifier: string): Promise<{ earliest: Date; latest: Date | null } | null>;

  /** DescribeDBSnapshots of one snapshot. */
  describeSnapshot(region: string, identifier: string): Promise<DatabaseSnapshot | null>;

  /** DescribeDBSnapshots of one instance (manual and automated), newest first, at most `limit`. */
  listSnapshots(region: string, instance: string, limit: number): Promise<DatabaseSnapshot[]>;

  /** CreateDBSnapshot; RDS needs the instance `available`. */
  createSnapshot(region: string, instance: string, snapshot: string, tags: ResourceTag[]): Promise<DatabaseSnapshot>;

  /** RestoreDBInstanceToPointInTime into a new instance. */
  restoreToPointInTime(region: string, source: string, restoreTime: Date, request: RestoreRequest): Promise<DatabaseInstance>;

  /** RestoreDBInstanceFromDBSnapshot into a new instance. */
  restoreFromSnapshot(region: string, snapshot: string, request: RestoreRequest): Promise<DatabaseInstance>;
}
