import type { DatabaseTemplateViews, RestoreCompleteView, RestoreFailedView, RestoreProgressView, RestoreStartedView, RestoreSubjectView } from './database-template-views.js';
import { escapeUserText } from './mrkdwn.js';
import type { PagerView } from './template-views.js';

const SUBJECT: RestoreSubjectView = {
  rollbackId: 'rb-202611220300-3fa9c1',
  environment: 'production',
  database: 'main',
  sourceInstance: 'shieldai-production-db',
  targetInstance: 'shieldai-production-db-rb-202611220300',
  preRestoreSnapshot: 'shieldai-production-db-pre-rb-202611220300-3fa9c1',
  restoreTo: 'point in time 2026-11-22 02:30:00 UTC',
  engine: 'postgres 15.4',
  settings:
    'db.r6g.large, Multi-AZ, gp3 12000 IOPS 500 MiB/s, subnet group shieldai-production-db-subnets, security groups sg-0a1b2c3d4e5f60718, sg-0f1e2d3c4b5a69788, parameter group shieldai-production-db-params, option group default:postgres-15, port 5432, not publicly accessible, deletion protection, 2 tags',
};
const FROM_SNAPSHOT: RestoreSubjectView = { ...SUBJECT, restoreTo: 'snapshot rds:shieldai-production-db-2026-11-22-02-00' };
const REASON = escapeUserText('migration 42 dropped the orders.customer_id column <!channel>');
const INCIDENT_URL = 'https://shieldai.pagerduty.com/incidents/Q2K8XJ4LMN0P7R';
const pager = (status: string, url: string | null = INCIDENT_URL): PagerView => ({ status, url });
const ENDPOINT = 'shieldai-production-db-rb-202611220300.c9akciq32.us-east-1.rds.amazonaws.com';

const STARTED: RestoreStartedView = {
  ...SUBJECT,
  state: 'in_progress',
  inProgress: true,
  complete: false,
  failed: false,
  requestedBy: '<@U0ALICE>',
  confirmedBy: '<@U0ALICE>',
  approvedBy: '<@U0CAROL>',
  reason: REASON,
  severity: 'SEV1',
  expectedDuration: '10 to 60+ minutes; the bot waits up to 120 min for each of the snapshot and the restore',
  startedAt: '2026-11-22 03:00 UTC',
  duration: null,
  endpoint: null,
  pagerduty: pager('opened'),
  threadLink: 'https://shieldai.slack.com/archives/C0INCIDENTS/p1795316400000100',
};

const PROGRESS: RestoreProgressView = {
  ...SUBJECT,
  step: 'snapshotting the source',
  status: 'creating',
  percent: '45%',
  elapsed: '4m 00s',
  note: 'Snapshot `shieldai-production-db-pre-rb-202611220300-3fa9c1` of `shieldai-production-db` started; the restore waits until it is available.',
};

const COMPLETE: RestoreCompleteView = {
  ...SUBJECT,
  duration: '38m 30s',
  endpoint: `${ENDPOINT}:5432`,
  nextSteps: [
    `Check the data on \`${ENDPOINT}:5432\`: it answers with the source's users and passwords as of point in time 2026-11-22 02:30:00 UTC.`,
    `Point the application's database secret at it: host \`${ENDPOINT}\`, port \`5432\`.`,
    'Restart the services that read the secret so they reconnect (Force new deployment), e.g. in cluster `shieldai-production`: `shieldai-production-api`, `shieldai-production-worker`.',
    '`shieldai-production-db` is untouched and still serving; snapshot `shieldai-production-db-pre-rb-202611220300-3fa9c1` holds it as it was just before the restore. Delete nothing until the switch-over is proven; the bot deletes nothing.',
  ],
  requestedBy: '<@U0ALICE>',
  approvedBy: '<@U0CAROL>',
  reason: REASON,
  pagerduty: pager('left open: the switch-over is manual'),
};

const FAILED: RestoreFailedView = {
  ...SUBJECT,
  duration: '24m 10s',
  outcome: 'failed',
  problem: 'New instance `shieldai-production-db-rb-202611220300`: RDS reports it `incompatible-parameters`. The source is unchanged.',
  requestedBy: '<@U0ALICE>',
  reason: REASON,
  pagerduty: pager('left open'),
};

/** The sample views of the database templates (see TEMPLATE_SAMPLES). */
export const DATABASE_TEMPLATE_SAMPLES = {
  'restore-started': {
    'in-progress': STARTED,
    complete: { ...STARTED, state: 'complete', inProgress: false, complete: true, duration: '38m 30s', endpoint: `${ENDPOINT}:5432`, pagerduty: pager('left open: the switch-over is manual') },
    failed: {
      ...STARTED,
      ...FROM_SNAPSHOT,
      state: 'failed',
      inProgress: false,
      failed: true,
      confirmedBy: null,
      approvedBy: null,
      reason: null,
      severity: 'SEV2',
      duration: '2h 00m',
      pagerduty: pager('unreachable', null),
      threadLink: null,
    },
  },
  'restore-progress': {
    snapshotting: PROGRESS,
    restoring: { ...FROM_SNAPSHOT, step: 'restoring into the new instance', status: 'backing-up', percent: null, elapsed: '31m 00s', note: null },
  },
  'restore-complete': {
    'point-in-time': COMPLETE,
    snapshot: { ...COMPLETE, ...FROM_SNAPSHOT, approvedBy: null, reason: null, pagerduty: pager('not configured', null) },
  },
  'restore-failed': {
    'incompatible-parameters': FAILED,
    'timed-out': {
      ...FAILED,
      ...FROM_SNAPSHOT,
      duration: '2h 05m',
      outcome: 'timed out',
      problem: 'New instance `shieldai-production-db-rb-202611220300`: still `creating` after 120 min; the bot stopped waiting and deleted nothing. The source is unchanged.',
      reason: null,
      pagerduty: pager('unreachable', null),
    },
  },
} satisfies { [N in keyof DatabaseTemplateViews]: Record<string, DatabaseTemplateViews[N]> };
