import { DATABASE_TEMPLATE_SAMPLES } from './database-template-samples.js';
import { escapeUserText } from './mrkdwn.js';
import type {
  IncidentAnnouncementView,
  PagerView,
  RollbackCompleteView,
  RollbackFailedView,
  RollbackStartedView,
  ServiceChangeView,
  ServiceResultView,
  TemplateName,
  TemplateViews,
} from './template-views.js';

/**
 * Named sample views of each template, the first being its typical use. loadTemplates renders every
 * template with all of its samples, so between them they give every field a value and take every
 * branch (each state, each nullable field both null and set); the golden tests render them too.
 */
export type TemplateSamples = { [N in TemplateName]: Record<string, TemplateViews[N]> };

const ROLLBACK_ID = 'rb-202611220300-3fa9c1';
const REASON = escapeUserText('checkout 5xx at 12% since the v1.0.14 deploy <!channel>');
const INCIDENT_URL = 'https://shieldai.pagerduty.com/incidents/Q2K8XJ4LMN0P7R';
const THREAD_LINK = 'https://shieldai.slack.com/archives/C0INCIDENTS/p1795316400000100';
const EXPECTED = 'up to 15 min for ECS, then 5 min of health checks';

function change(service: string, to = `shieldai-production-${service}:13`, toImages = 'v1.0.13'): ServiceChangeView {
  return {
    service,
    ecsService: `shieldai-production-${service}`,
    from: `shieldai-production-${service}:14`,
    to,
    fromImages: 'v1.0.14',
    toImages,
    action: 'update the service, forcing a new deployment',
  };
}

const API = change('api');
const WORKER = change('worker');
const pager = (status: string, url: string | null = INCIDENT_URL): PagerView => ({ status, url });

const STARTED: RollbackStartedView = {
  rollbackId: ROLLBACK_ID,
  environment: 'production',
  state: 'in_progress',
  inProgress: true,
  complete: false,
  unverified: false,
  failed: false,
  services: [API, WORKER],
  serviceCount: 2,
  requestedBy: '<@U0ALICE>',
  confirmedBy: '<@U0ALICE>',
  approvedBy: null,
  reason: REASON,
  severity: 'SEV2',
  expectedDuration: EXPECTED,
  startedAt: '2026-11-22 03:00 UTC',
  duration: null,
  pagerduty: pager('opened'),
  threadLink: THREAD_LINK,
};

const STATES = { inProgress: false, complete: false, unverified: false, failed: false };

function result(base: ServiceChangeView, outcome: string, duration: string, reason: string | null, verification: string | null): ServiceResultView {
  return { ...base, outcome, succeeded: outcome === 'succeeded' || outcome === 'unchanged', duration, reason, verification };
}

const WORKER_DONE = result(WORKER, 'succeeded', '3m 05s', null, 'ECS stable');

const COMPLETE: RollbackCompleteView = {
  rollbackId: ROLLBACK_ID,
  environment: 'production',
  verified: true,
  problems: [],
  duration: '7m 45s',
  services: [result(API, 'succeeded', '2m 40s', null, 'ECS stable; /health 200 ×5; alarms OK'), WORKER_DONE],
  requestedBy: '<@U0ALICE>',
  approvedBy: null,
  reason: REASON,
  pagerduty: pager('resolved'),
};

const API_FAILED = result(
  API,
  'failed',
  '6m 10s',
  '(service shieldai-production-api) deployment ecs-svc/4417706293958130001 deployment failed: tasks failed to start.',
  null,
);

const FAILED: RollbackFailedView = {
  rollbackId: ROLLBACK_ID,
  environment: 'production',
  duration: '6m 12s',
  failedServices: [API_FAILED],
  services: [API_FAILED, result(WORKER, 'succeeded', '2m 55s', null, null)],
  requestedBy: '<@U0ALICE>',
  reason: REASON,
  pagerduty: pager('left open'),
};

const API_TIMED_OUT = result(API, 'timed_out', '15m 00s', 'did not reach a steady state within 15 min (2 of 4 tasks running).', null);
const WORKER_NO_IMAGE = result(
  WORKER,
  'failed',
  '1m 12s',
  'CannotPullContainerError: pull image manifest has been retried 5 time(s): v1.0.13: not found',
  null,
);

const ALARM: Omit<IncidentAnnouncementView, 'services' | 'pagerduty'> = {
  environment: 'production',
  alarmName: 'shieldai-production-alb-5xx',
  reason:
    'Threshold Crossed: 2 out of the last 2 datapoints [41.0 (22/11/26 02:58:00), 37.0 (22/11/26 02:57:00)] were greater than the threshold (5.0) (minimum 2 datapoints for OK -&gt; ALARM transition).',
  metric: 'HTTPCode_Target_5XX_Count (Sum, 1 min): 41',
  since: '2026-11-22 02:57 UTC (3 minutes ago)',
  autoRollbackStarted: false,
};

function offer(service: string, latestDeployment: string): IncidentAnnouncementView['services'][number] {
  return { service, latestDeployment, offerValue: JSON.stringify({ environment: 'production', service }) };
}

/** The sample views of every template. */
export const TEMPLATE_SAMPLES = {
  'rollback-started': {
    'in-progress': STARTED,
    complete: { ...STARTED, ...STATES, state: 'complete', complete: true, duration: '7m 45s', pagerduty: pager('resolved') },
    unverified: { ...STARTED, ...STATES, state: 'unverified', unverified: true, duration: '12m 30s', pagerduty: pager('left open') },
    failed: {
      ...STARTED,
      ...STATES,
      state: 'failed',
      failed: true,
      services: [API, change('worker', 'new revision of shieldai-production-worker', 'v1.0.12')],
      requestedBy: '`ci-pipeline`',
      confirmedBy: null,
      approvedBy: '<@U0CAROL>',
      reason: null,
      severity: 'SEV1',
      duration: '15m 03s',
      pagerduty: pager('unreachable', null),
      threadLink: null,
    },
  },
  'rollback-progress': {
    'rolling-back': {
      rollbackId: ROLLBACK_ID,
      environment: 'production',
      phase: 'rolling back',
      elapsed: '1m 20s',
      services: [
        {
          service: 'api',
          rolloutState: 'IN_PROGRESS',
          runningCount: 2,
          desiredCount: 4,
          pendingCount: 2,
          failedTasks: 0,
          health: '200 in 45 ms (3 in a row)',
          alarms: [{ name: 'shieldai-production-alb-5xx', state: 'ALARM' }],
          metric: 'HTTPCode_Target_5XX_Count: 12',
          note: null,
        },
        {
          service: 'worker',
          rolloutState: 'IN_PROGRESS',
          runningCount: 1,
          desiredCount: 2,
          pendingCount: 1,
          failedTasks: 1,
          health: null,
          alarms: [],
          metric: null,
          note: '(service shieldai-production-worker) has started 1 tasks: (task 4f2c9e0b7d1a4e6f8a3b5c7d9e1f2a4b).',
        },
      ],
    },
    verifying: {
      rollbackId: ROLLBACK_ID,
      environment: 'production',
      phase: 'verifying (2m 10s of 5m 00s)',
      elapsed: '4m 30s',
      services: [
        {
          service: 'api',
          rolloutState: 'COMPLETED',
          runningCount: 4,
          desiredCount: 4,
          pendingCount: 0,
          failedTasks: 0,
          health: '200 in 38 ms (12 in a row)',
          alarms: [{ name: 'shieldai-production-alb-5xx', state: 'OK' }],
          metric: 'HTTPCode_Target_5XX_Count: 0',
          note: null,
        },
      ],
    },
  },
  'rollback-complete': {
    verified: COMPLETE,
    unverified: {
      ...COMPLETE,
      verified: false,
      problems: [
        'api: alarm shieldai-production-alb-5xx is in ALARM (Threshold Crossed: 1 datapoint [14.0 (22/11/26 03:09:00)] was greater than the threshold (5.0)).',
        'api: https://api.example.com/health timed out after 5 s; needs 3 answers of 200 in a row, got 0.',
      ],
      duration: '12m 30s',
      services: [result(API, 'succeeded', '2m 40s', null, 'ECS stable; /health timed out after 5 s; alarm ALARM'), WORKER_DONE],
      approvedBy: '<@U0CAROL>',
      reason: null,
      pagerduty: pager('left open'),
    },
  },
  'rollback-failed': {
    'one-failed': FAILED,
    'all-failed': {
      ...FAILED,
      duration: '15m 04s',
      failedServices: [API_TIMED_OUT, WORKER_NO_IMAGE],
      services: [API_TIMED_OUT, WORKER_NO_IMAGE],
      reason: null,
      pagerduty: pager('not configured', null),
    },
  },
  'incident-announcement': {
    'two-services': {
      ...ALARM,
      services: [
        offer('api', 'deployed 12 minutes ago: shieldai-production-api:13 → shieldai-production-api:14'),
        offer('worker', 'deployed 12 minutes ago: shieldai-production-worker:13 → shieldai-production-worker:14'),
      ],
      pagerduty: pager('not configured', null),
    },
    'three-services': {
      ...ALARM,
      services: [
        offer('api', 'deployed 12 minutes ago: shieldai-production-api:13 → shieldai-production-api:14'),
        offer('worker', 'deployed 12 minutes ago: shieldai-production-worker:13 → shieldai-production-worker:14'),
        offer('web', 'no recent deployment found'),
      ],
      autoRollbackStarted: true,
      pagerduty: pager('opened'),
    },
  },
  ...DATABASE_TEMPLATE_SAMPLES,
} satisfies TemplateSamples;
