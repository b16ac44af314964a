import { arn, created, type IamRequest } from './aws-call-models.js';
import type { ExampleAccount } from './example-account.js';

const OTHER_REGION = 'eu-west-1';
const OTHER_ACCOUNT = '210987654321';

/** Requests the policy must refuse: what the bot never does, and what it does but on what the config does not name. */
export function deniedRequests(example: ExampleAccount): IamRequest[] {
  const a = example.account;
  const service = example.services.find((s) => s.environment === 'production')!;
  const elsewhere = example.services.find((s) => s.environment !== service.environment)!;
  const database = example.databases.find((d) => d.endpointSecrets.length > 0)!;
  const { region } = service;
  const deny = (action: string, resource: string, why: string, context: Record<string, string> = {}, at = region): IamRequest => ({
    action,
    resource,
    region: at,
    why,
    context: { 'aws:RequestedRegion': at, ...context },
  });
  const serviceArn = arn.service(service, a);
  const revision = arn.taskDefinition(region, service.family, 13, a);
  const task = `arn:aws:ecs:${region}:${a}:task/${service.cluster}/a1b2c3d4e5f60718293a4b5c6d7e8f90`;
  const source = arn.db(region, database.instance, a);
  const restored = arn.db(region, created.restoredInstance(database), a);
  const preRestore = arn.snapshot(region, created.preRestoreSnapshot(database), a);
  const secret = database.endpointSecrets[0]!;
  const alarm = `arn:aws:cloudwatch:${region}:${a}:alarm:shieldai-production-alb-5xx`;
  const logGroup = `arn:aws:logs:${region}:${a}:log-group:/ecs/${service.family}`;
  const toTasks = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
  return [
    deny('ecs:DeleteService', serviceArn, 'deletes a service'),
    deny('ecs:CreateService', arn.service({ ...service, service: 'shieldai-production-miner' }, a), 'creates a service'),
    deny('ecs:UpdateService', arn.service({ ...service, cluster: 'shieldai-sandbox' }, a), 'updates a service of another cluster'),
    deny('ecs:UpdateService', arn.service({ ...service, region: OTHER_REGION }, a), 'updates a service of another region', {}, OTHER_REGION),
    deny('ecs:UpdateService', arn.service(service, OTHER_ACCOUNT), 'updates a service of another account'),
    deny('ecs:UpdateService', arn.service({ ...service, service: 'shieldai-production-payments' }, a), 'updates a service the config does not name'),
    deny('ecs:UpdateService', serviceArn, "points a service at another environment's family", {
      'ecs:task-definition': arn.taskDefinition(elsewhere.region, elsewhere.family, 3, a),
    }),
    deny('ecs:UpdateService', serviceArn, 'points a service at a family the config does not name', {
      'ecs:task-definition': arn.taskDefinition(region, 'cryptominer', 1, a),
    }),
    deny('ecs:StopServiceDeployment', `arn:aws:ecs:${region}:${a}:service-deployment/shieldai-sandbox/${service.service}/r9i43YFjvgF_xlg7m2eJ1r`, "stops another cluster's deployment"),
    deny('ecs:StopServiceDeployment', arn.service({ ...service, cluster: 'shieldai-sandbox' }, a), "stops another cluster's deployment"),
    deny('ecs:RegisterTaskDefinition', arn.taskDefinition(region, 'cryptominer', 1, a), 'registers a family the config does not name'),
    deny('ecs:DeregisterTaskDefinition', '*', 'deregisters a revision'),
    deny('ecs:TagResource', revision, 'retags an existing revision'),
    deny('ecs:TagResource', serviceArn, 'tags a service', { 'ecs:CreateAction': 'RegisterTaskDefinition' }),
    deny('ecs:RunTask', revision, 'runs a task'),
    deny('ecs:StopTask', task, 'stops a task'),
    deny('ecs:ExecuteCommand', task, 'opens a shell in a task'),
    deny('ecs:DescribeTaskDefinition', '*', 'reads task definitions of another region', {}, OTHER_REGION),
    deny('ecs:ListTasks', '*', 'lists tasks of another cluster', { 'ecs:cluster': arn.cluster(region, 'shieldai-sandbox', a) }),
    deny('ecs:DescribeTasks', `arn:aws:ecs:${region}:${a}:task/shieldai-sandbox/a1b2c3d4e5f60718293a4b5c6d7e8f90`, 'reads tasks of another cluster'),
    deny('iam:PassRole', arn.role('shieldai-admin', a), 'passes a role the config does not name', toTasks),
    deny('iam:PassRole', arn.role(service.taskRole, a), 'passes a task role to another service', { 'iam:PassedToService': 'lambda.amazonaws.com' }),
    deny('iam:PutRolePolicy', arn.role('rollback-bot', a), 'widens its own role'),
    deny('rds:DeleteDBInstance', source, 'deletes the source instance'),
    deny('rds:ModifyDBInstance', source, 'modifies the source instance'),
    deny('rds:RebootDBInstance', source, 'reboots the source instance'),
    deny('rds:StopDBInstance', source, 'stops the source instance'),
    deny('rds:DeleteDBInstance', restored, 'deletes the restored instance'),
    deny('rds:ModifyDBInstance', restored, 'modifies the restored instance'),
    deny('rds:AddTagsToResource', source, 'retags the source instance'),
    deny('rds:DeleteDBSnapshot', preRestore, 'deletes the pre-restore snapshot'),
    deny('rds:ModifyDBSnapshotAttribute', preRestore, 'shares a snapshot'),
    deny('rds:CopyDBSnapshot', preRestore, 'copies a snapshot'),
    deny('rds:CreateDBSnapshot', arn.db(region, 'shieldai-billing-db', a), 'snapshots an instance the config does not name'),
    deny('rds:RestoreDBInstanceFromDBSnapshot', source, "restores into the source's name"),
    deny('rds:RestoreDBInstanceToPointInTime', arn.db(region, 'exfiltrated-copy', a), 'restores into a name the bot does not give'),
    deny('rds:RestoreDBInstanceFromDBSnapshot', arn.snapshot(region, 'shieldai-billing-db-manual-20261122030000', a), "restores another instance's snapshot"),
    deny('rds:DescribeDBInstances', arn.db(OTHER_REGION, database.instance, a), 'reads an instance of another region', {}, OTHER_REGION),
    deny('secretsmanager:PutSecretValue', arn.secret(region, 'production/payments', a), 'writes another secret'),
    deny('secretsmanager:GetSecretValue', arn.secret(region, 'production/payments', a), 'reads another secret'),
    deny('secretsmanager:GetSecretValue', arn.secret(region, `${secret}-admin`, a), 'reads a secret whose name only starts like it'),
    deny('secretsmanager:DeleteSecret', arn.secret(region, secret, a), 'deletes the endpoint secret'),
    deny('secretsmanager:PutResourcePolicy', arn.secret(region, secret, a), 'shares the endpoint secret'),
    deny('ecr:DescribeImages', `arn:aws:ecr:${region}:${a}:repository/shieldai-billing`, 'reads a repository the config does not name'),
    deny('ecr:BatchDeleteImage', `arn:aws:ecr:${region}:${a}:repository/${service.family}`, 'deletes images'),
    deny('logs:GetLogEvents', `arn:aws:logs:${region}:${a}:log-group:/ecs/shieldai-billing:log-stream:app/app/1`, 'reads another log group'),
    deny('logs:DeleteLogGroup', logGroup, "deletes a service's log group"),
    deny('cloudwatch:PutMetricAlarm', alarm, 'changes an alarm'),
    deny('cloudwatch:DisableAlarmActions', alarm, "silences an alarm's actions"),
    deny('cloudwatch:DescribeAlarms', '*', 'reads alarms of another region', {}, OTHER_REGION),
    deny('cloudwatch:PutMetricData', '*', 'writes metrics'),
  ];
}
