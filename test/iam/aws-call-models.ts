import { manualSnapshotId, preRestoreSnapshotId, restoredInstanceId } from '../../src/domain/database-restore.js';
import type { ExampleAccount, ExampleDatabase, ExampleService } from './example-account.js';

/** One authorization AWS makes for a call: an action on a resource ARN (or `*`), with the context it sets. */
export interface IamRequest {
  action: string;
  resource: string;
  region: string;
  context: Record<string, string>;
  /** What the bot is doing, for the test's name. */
  why: string;
}

/** How one SDK operation is authorized for the example config; `issue` marks a wave-2 call not in `src/` yet. */
export interface CallModel {
  issue?: number;
  requests(example: ExampleAccount): IamRequest[];
}

// Identifiers in the shape AWS gives them; only their form matters to a policy.
const DEPLOYMENT_ID = 'r9i43YFjvgF_xlg7m2eJ1r';
const REVISION_ID = '4980306466373577095';
const TASK_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const SECRET_SUFFIX = 'AbCdEf';
const ROLLBACK_ID = 'rb-202611220300-3f9a1c';
const AT = new Date('2026-11-22T03:00:00Z');

/** ARN builders of the resource types the policy names; each mirrors its format in AWS's authorization reference. */
export const arn = {
  service: (s: Pick<ExampleService, 'region' | 'cluster' | 'service'>, account: string) =>
    `arn:aws:ecs:${s.region}:${account}:service/${s.cluster}/${s.service}`,
  cluster: (region: string, cluster: string, account: string) => `arn:aws:ecs:${region}:${account}:cluster/${cluster}`,
  taskDefinition: (region: string, family: string, revision: number, account: string) =>
    `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`,
  role: (name: string, account: string) => `arn:aws:iam::${account}:role/${name}`,
  db: (region: string, instance: string, account: string) => `arn:aws:rds:${region}:${account}:db:${instance}`,
  snapshot: (region: string, snapshot: string, account: string) => `arn:aws:rds:${region}:${account}:snapshot:${snapshot}`,
  secret: (region: string, name: string, account: string) => `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${SECRET_SUFFIX}`,
};

/** The names the bot gives what it creates for an instance, from the domain's own functions, and AWS's for backups. */
export const created = {
  restoredInstance: (d: ExampleDatabase) => restoredInstanceId(d.instance, AT),
  preRestoreSnapshot: (d: ExampleDatabase) => preRestoreSnapshotId(d.instance, ROLLBACK_ID),
  manualSnapshot: (d: ExampleDatabase) => manualSnapshotId(d.instance, AT),
  automatedSnapshot: (d: ExampleDatabase) => `rds:${d.instance}-2026-11-22-03-05`,
};

type Build = (action: string, resource: string, why: string, context?: Record<string, string>) => IamRequest;

function builder(region: string): Build {
  // AWS sets aws:RequestedRegion on every request; the `*` statements are scoped by it.
  return (action, resource, why, context = {}) => ({ action, resource, region, why, context: { 'aws:RequestedRegion': region, ...context } });
}

const perService = (make: (s: ExampleService, request: Build, account: string) => IamRequest[]) => (example: ExampleAccount) =>
  example.services.flatMap((s) => make(s, builder(s.region), example.account));

const perDatabase = (make: (d: ExampleDatabase, request: Build, account: string) => IamRequest[]) => (example: ExampleAccount) =>
  example.databases.flatMap((d) => make(d, builder(d.region), example.account));

const perRegion = (make: (region: string, request: Build) => IamRequest[]) => (example: ExampleAccount) =>
  example.regions.flatMap((region) => make(region, builder(region)));

/** Groups of an RDS restore the example's source instance uses; the policy allows any of the account's. */
function restoreGroups(d: ExampleDatabase, request: Build, action: string, account: string): IamRequest[] {
  return [
    request(action, `arn:aws:rds:${d.region}:${account}:og:default:postgres-16`, 'copies the option group'),
    request(action, `arn:aws:rds:${d.region}:${account}:pg:default.postgres16`, 'copies the parameter group'),
    request(action, `arn:aws:rds:${d.region}:${account}:subgrp:${d.instance}-subnets`, 'copies the subnet group'),
  ];
}

function tagsOnCreate(resource: string, request: Build, why: string): IamRequest {
  return request('rds:AddTagsToResource', resource, `tags ${why} as it is created`);
}

const ecs: Record<string, CallModel> = {
  'ecs:DescribeServices': { requests: perService((s, r, a) => [r('ecs:DescribeServices', arn.service(s, a), 'watches the service')]) },
  'ecs:ListServiceDeployments': {
    requests: perService((s, r, a) => [r('ecs:ListServiceDeployments', arn.service(s, a), 'lists the service deployments')]),
  },
  'ecs:DescribeServiceDeployments': {
    requests: perService((s, r, a) => [
      r('ecs:DescribeServiceDeployments', arn.service(s, a), 'reads deployments of the service'),
      r('ecs:DescribeServiceDeployments', `arn:aws:ecs:${s.region}:${a}:service-deployment/${s.cluster}/${s.service}/${DEPLOYMENT_ID}`, 'reads a deployment'),
    ]),
  },
  'ecs:DescribeServiceRevisions': {
    requests: perService((s, r, a) => [
      r('ecs:DescribeServiceRevisions', arn.service(s, a), 'reads revisions of the service'),
      r('ecs:DescribeServiceRevisions', `arn:aws:ecs:${s.region}:${a}:service-revision/${s.cluster}/${s.service}/${REVISION_ID}`, 'reads a revision'),
    ]),
  },
  'ecs:StopServiceDeployment': {
    requests: perService((s, r, a) => [
      r('ecs:StopServiceDeployment', arn.service(s, a), 'stops a deployment of the service'),
      r('ecs:StopServiceDeployment', `arn:aws:ecs:${s.region}:${a}:service-deployment/${s.cluster}/${s.service}/${DEPLOYMENT_ID}`, 'stops an in-flight deployment'),
    ]),
  },
  'ecs:DescribeTaskDefinition': { requests: perRegion((_, r) => [r('ecs:DescribeTaskDefinition', '*', 'reads a revision')]) },
  'ecs:ListTaskDefinitions': { requests: perRegion((_, r) => [r('ecs:ListTaskDefinitions', '*', 'lists a family')]) },
  'ecs:RegisterTaskDefinition': {
    requests: perService((s, r, a) => {
      const revision = arn.taskDefinition(s.region, s.family, 15, a);
      const toTasks = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
      return [
        r('ecs:RegisterTaskDefinition', revision, 'registers a revision for an image tag'),
        r('ecs:TagResource', revision, 'keeps the tags of the revision it copies', { 'ecs:CreateAction': 'RegisterTaskDefinition' }),
        r('iam:PassRole', arn.role(s.taskRole, a), 'passes the task role of the revision it copies', toTasks),
        r('iam:PassRole', arn.role(s.executionRole, a), 'passes the execution role of the revision it copies', toTasks),
      ];
    }),
  },
  'ecs:UpdateService': {
    requests: perService((s, r, a) => [
      r('ecs:UpdateService', arn.service(s, a), 'rolls back to a revision of its family', {
        'ecs:task-definition': arn.taskDefinition(s.region, s.family, 13, a),
      }),
      // Issue 14: restart, scale and an emergency's deploymentConfiguration name no task definition.
      r('ecs:UpdateService', arn.service(s, a), 'restarts, scales or sets the deployment configuration (issue 14)'),
    ]),
  },
  'ecs:ListTasks': {
    issue: 15,
    requests: (example) =>
      example.clusters.map((c) =>
        builder(c.region)('ecs:ListTasks', '*', 'lists the stopped tasks of a failed deployment', {
          'ecs:cluster': arn.cluster(c.region, c.cluster, example.account),
        }),
      ),
  },
  'ecs:DescribeTasks': {
    issue: 15,
    requests: (example) =>
      example.clusters.map((c) =>
        builder(c.region)('ecs:DescribeTasks', `arn:aws:ecs:${c.region}:${example.account}:task/${c.cluster}/${TASK_ID}`, 'reads why a task stopped', {
          'ecs:cluster': arn.cluster(c.region, c.cluster, example.account),
        }),
      ),
  },
};

const rds: Record<string, CallModel> = {
  'rds:DescribeDBInstances': {
    requests: perDatabase((d, r, a) => [
      r('rds:DescribeDBInstances', arn.db(d.region, d.instance, a), 'reads the source instance'),
      r('rds:DescribeDBInstances', arn.db(d.region, created.restoredInstance(d), a), 'waits for the restored instance'),
    ]),
  },
  'rds:DescribeDBInstanceAutomatedBackups': {
    requests: perDatabase((d, r, a) => [r('rds:DescribeDBInstanceAutomatedBackups', arn.db(d.region, d.instance, a), 'reads the restorable window')]),
  },
  'rds:DescribeDBSnapshots': {
    requests: perDatabase((d, r, a) => [
      r('rds:DescribeDBSnapshots', arn.db(d.region, d.instance, a), "lists the instance's snapshots"),
      r('rds:DescribeDBSnapshots', arn.snapshot(d.region, created.preRestoreSnapshot(d), a), 'waits for the pre-restore snapshot'),
      r('rds:DescribeDBSnapshots', arn.snapshot(d.region, created.manualSnapshot(d), a), 'reads a manual snapshot'),
      r('rds:DescribeDBSnapshots', arn.snapshot(d.region, created.automatedSnapshot(d), a), 'reads an automated snapshot'),
    ]),
  },
  'rds:CreateDBSnapshot': {
    requests: perDatabase((d, r, a) => [
      r('rds:CreateDBSnapshot', arn.db(d.region, d.instance, a), 'snapshots the source instance'),
      r('rds:CreateDBSnapshot', arn.snapshot(d.region, created.preRestoreSnapshot(d), a), 'creates the pre-restore snapshot'),
      r('rds:CreateDBSnapshot', arn.snapshot(d.region, created.manualSnapshot(d), a), 'creates a manual snapshot'),
      tagsOnCreate(arn.snapshot(d.region, created.preRestoreSnapshot(d), a), r, 'the pre-restore snapshot'),
      tagsOnCreate(arn.snapshot(d.region, created.manualSnapshot(d), a), r, 'a manual snapshot'),
    ]),
  },
  'rds:RestoreDBInstanceToPointInTime': {
    requests: perDatabase((d, r, a) => [
      r('rds:RestoreDBInstanceToPointInTime', arn.db(d.region, d.instance, a), 'restores from the source instance'),
      r('rds:RestoreDBInstanceToPointInTime', arn.db(d.region, created.restoredInstance(d), a), 'creates the new instance'),
      ...restoreGroups(d, r, 'rds:RestoreDBInstanceToPointInTime', a),
      tagsOnCreate(arn.db(d.region, created.restoredInstance(d), a), r, 'the new instance'),
    ]),
  },
  'rds:RestoreDBInstanceFromDBSnapshot': {
    requests: perDatabase((d, r, a) => [
      r('rds:RestoreDBInstanceFromDBSnapshot', arn.db(d.region, created.restoredInstance(d), a), 'creates the new instance'),
      r('rds:RestoreDBInstanceFromDBSnapshot', arn.snapshot(d.region, created.preRestoreSnapshot(d), a), 'restores a snapshot the bot took'),
      r('rds:RestoreDBInstanceFromDBSnapshot', arn.snapshot(d.region, created.automatedSnapshot(d), a), 'restores an automated snapshot'),
      ...restoreGroups(d, r, 'rds:RestoreDBInstanceFromDBSnapshot', a),
      tagsOnCreate(arn.db(d.region, created.restoredInstance(d), a), r, 'the new instance'),
    ]),
  },
};

const secretsManager: Record<string, CallModel> = Object.fromEntries(
  [
    ['secretsmanager:DescribeSecret', 'checks the endpoint secret before any prompt'],
    ['secretsmanager:GetSecretValue', 'reads the endpoint secret'],
    ['secretsmanager:PutSecretValue', 'points the endpoint secret at the new instance, or back'],
  ].map(([action, why]) => [
    action!,
    {
      issue: 16,
      requests: perDatabase((d, r, a) => d.endpointSecrets.map((secret) => r(action!, arn.secret(d.region, secret, a), why!))),
    },
  ]),
);

const cloudWatch: Record<string, CallModel> = {
  'cloudwatch:DescribeAlarms': { requests: perRegion((_, r) => [r('cloudwatch:DescribeAlarms', '*', 'reads alarm states')]) },
  'cloudwatch:GetMetricData': { requests: perRegion((_, r) => [r('cloudwatch:GetMetricData', '*', 'reads a metric')]) },
  'cloudwatch:GetMetricWidgetImage': {
    issue: 17,
    requests: perRegion((_, r) => [r('cloudwatch:GetMetricWidgetImage', '*', 'draws the before-and-after graph')]),
  },
};

const wave2Reads: Record<string, CallModel> = {
  'ecr:DescribeImages': {
    issue: 15,
    requests: perService((s, r, a) => [
      r('ecr:DescribeImages', `arn:aws:ecr:${s.region}:${a}:repository/${s.family}`, 'checks the target revision images exist'),
    ]),
  },
  'logs:GetLogEvents': {
    issue: 15,
    requests: perService((s, r, a) => [
      r('logs:GetLogEvents', `arn:aws:logs:${s.region}:${a}:log-group:/ecs/${s.family}:log-stream:app/app/${TASK_ID}`, 'reads the log lines of a failed task'),
    ]),
  },
};

/** Every AWS operation the bot sends or wave 2 will send, keyed `<iam prefix>:<Operation>` as `sdkCallsIn` names them. */
export const AWS_CALLS: Record<string, CallModel> = { ...ecs, ...rds, ...secretsManager, ...cloudWatch, ...wave2Reads };
