import type { Clock } from '../../../src/ports/clock.js';

const MINUTE = 60_000;

/** One RDS tag, as the wire names it. */
export interface WireTag {
  Key: string;
  Value: string;
}

/** A DB instance of the fake, with the settings a restore may copy or leave to AWS's defaults. */
export interface FakeInstance {
  id: string;
  arn: string;
  engine: string;
  engineVersion: string;
  instanceClass: string;
  multiAZ: boolean;
  storageType: string;
  iops: number | null;
  storageThroughput: number | null;
  allocatedStorage: number;
  subnetGroup: string;
  securityGroups: string[];
  parameterGroup: string;
  optionGroup: string;
  port: number;
  publiclyAccessible: boolean;
  deletionProtection: boolean;
  copyTagsToSnapshot: boolean;
  iamAuth: boolean;
  logExports: string[];
  tags: WireTag[];
  clusterId: string | null;
  backupRetentionDays: number;
  createdAt: number;
  /** Earliest point-in-time restore target. */
  earliestRestorable: number;
  /** Status changes over time: the status of the first entry whose `until` is later than now (null: for good). */
  timeline: { status: string; until: number | null }[];
  /** The instance reads `backing-up` until then (a snapshot of it is being taken). */
  busyUntil: number;
  /** How it was made, for tests: the restore call's input. */
  restoredBy: { operation: string; input: Record<string, unknown> } | null;
}

/** A DB snapshot of the fake. */
export interface FakeSnapshot {
  id: string;
  arn: string;
  instanceId: string;
  engine: string;
  engineVersion: string;
  type: 'manual' | 'automated';
  createdAt: number;
  availableAt: number;
  /** Set to make it end `failed` instead of `available`. */
  fails: boolean;
  tags: WireTag[];
}

/** How restores and snapshots started from now on behave. */
export interface RdsBehaviour {
  creatingMinutes: number;
  backingUpMinutes: number;
  snapshotMinutes: number;
  /** Where a restored instance ends: `available`, or a failure state such as `incompatible-parameters`. */
  restoreOutcome: string;
}

/** What a seeded instance may set; the rest gets a production-like default. */
export type InstanceSeed = Partial<Omit<FakeInstance, 'arn' | 'timeline' | 'busyUntil' | 'restoredBy'>> & { id: string; status?: string };

/** The fake's instances and snapshots, their states computed from the clock. */
export class FakeRdsState {
  readonly instances = new Map<string, FakeInstance>();
  readonly snapshots = new Map<string, FakeSnapshot>();
  behaviour: RdsBehaviour = { creatingMinutes: 20, backingUpMinutes: 10, snapshotMinutes: 8, restoreOutcome: 'available' };

  constructor(
    readonly clock: Clock,
    readonly region: string,
    readonly accountId: string,
  ) {}

  /** Adds an instance as it would stand after years in production. */
  addInstance({ status, ...seed }: InstanceSeed): FakeInstance {
    const now = this.clock.now();
    const engine = seed.engine ?? 'postgres';
    const instance: FakeInstance = {
      engine,
      engineVersion: '15.4',
      instanceClass: 'db.r6g.large',
      multiAZ: true,
      storageType: 'gp3',
      iops: 12000,
      storageThroughput: 500,
      allocatedStorage: 500,
      subnetGroup: `${seed.id}-subnets`,
      securityGroups: ['sg-0a1b2c3d4e5f60718', 'sg-0f1e2d3c4b5a69788'],
      parameterGroup: `${seed.id}-params`,
      optionGroup: `default:${engine}-15`,
      port: 5432,
      publiclyAccessible: false,
      deletionProtection: true,
      copyTagsToSnapshot: true,
      iamAuth: true,
      logExports: ['postgresql', 'upgrade'],
      tags: [
        { Key: 'Environment', Value: 'production' },
        { Key: 'team', Value: 'platform' },
      ],
      clusterId: null,
      backupRetentionDays: 7,
      createdAt: now - 400 * 24 * 60 * MINUTE,
      earliestRestorable: now - 7 * 24 * 60 * MINUTE,
      ...seed,
      arn: this.arn('db', seed.id),
      timeline: [{ status: status ?? 'available', until: null }],
      busyUntil: 0,
      restoredBy: null,
    };
    this.instances.set(seed.id, instance);
    return instance;
  }

  /** Adds a snapshot that already exists (or is still being taken, when `availableAt` is later than now). */
  addSnapshot(seed: Partial<FakeSnapshot> & { id: string; instanceId: string }): FakeSnapshot {
    const source = this.instances.get(seed.instanceId);
    const snapshot: FakeSnapshot = {
      engine: source?.engine ?? 'postgres',
      engineVersion: source?.engineVersion ?? '15.4',
      type: 'manual',
      createdAt: this.clock.now() - 60 * MINUTE,
      availableAt: this.clock.now() - 50 * MINUTE,
      fails: false,
      tags: [],
      ...seed,
      arn: this.arn('snapshot', seed.id),
    };
    this.snapshots.set(seed.id, snapshot);
    return snapshot;
  }

  /** The instance's status now. */
  statusOf(instance: FakeInstance): string {
    const now = this.clock.now();
    const status = instance.timeline.find((t) => t.until === null || now < t.until)?.status ?? 'available';
    return status === 'available' && now < instance.busyUntil ? 'backing-up' : status;
  }

  /** The snapshot's status now. */
  snapshotStatusOf(snapshot: FakeSnapshot): string {
    if (this.clock.now() < snapshot.availableAt) return 'creating';
    return snapshot.fails ? 'failed' : 'available';
  }

  /** The latest point-in-time restore target: RDS trails the present by about five minutes. */
  latestRestorable(): number {
    return this.clock.now() - 5 * MINUTE;
  }

  /** Starts a snapshot of `instance`, which reads `backing-up` while it is taken. */
  takeSnapshot(instance: FakeInstance, id: string, tags: WireTag[]): FakeSnapshot {
    const now = this.clock.now();
    const availableAt = now + this.behaviour.snapshotMinutes * MINUTE;
    instance.busyUntil = availableAt;
    return this.addSnapshot({ id, instanceId: instance.id, createdAt: now, availableAt, tags, engine: instance.engine, engineVersion: instance.engineVersion });
  }

  /** A new instance on its way through `creating` and `backing-up` to the behaviour's outcome. */
  restoreInstance(id: string, from: FakeInstance | FakeSnapshot, settings: Partial<FakeInstance>, restoredBy: FakeInstance['restoredBy']): FakeInstance {
    const now = this.clock.now();
    const { creatingMinutes, backingUpMinutes, restoreOutcome } = this.behaviour;
    const source = 'timeline' in from ? from : this.instances.get(from.instanceId);
    const creatingUntil = now + creatingMinutes * MINUTE;
    const instance = this.addInstance({
      id,
      engine: from.engine,
      engineVersion: from.engineVersion,
      instanceClass: source?.instanceClass ?? 'db.m5.large',
      allocatedStorage: source?.allocatedStorage ?? 20,
      // What RestoreDBInstance* gives a new instance for every setting the request leaves out.
      multiAZ: false,
      storageType: 'gp2',
      iops: null,
      storageThroughput: null,
      subnetGroup: 'default',
      securityGroups: ['sg-default0000000000'],
      parameterGroup: `default.${from.engine}15`,
      optionGroup: `default:${from.engine}-15`,
      port: 5432,
      publiclyAccessible: false,
      deletionProtection: false,
      copyTagsToSnapshot: false,
      iamAuth: false,
      logExports: [],
      tags: [],
      createdAt: now,
      earliestRestorable: creatingUntil,
      ...settings,
    });
    instance.timeline = [
      { status: 'creating', until: creatingUntil },
      { status: 'backing-up', until: creatingUntil + backingUpMinutes * MINUTE },
      { status: restoreOutcome, until: null },
    ];
    instance.restoredBy = restoredBy;
    return instance;
  }

  /** `arn:aws:rds:<region>:<account>:<kind>:<id>` */
  arn(kind: string, id: string): string {
    return `arn:aws:rds:${this.region}:${this.accountId}:${kind}:${id}`;
  }
}
