import type { EnvironmentSpec } from '../../domain/catalog.js';
import { describeSettings, type DatabaseRestorePlan } from '../../domain/database-restore.js';
import type { RollbackRecord, ServiceRollbackRecord } from '../../ports/store.js';
import type { RestoreProgress } from '../../rollbacks/database-restore-runner.js';
import type { RollbackEvent } from '../../rollbacks/rollback-events.js';
import { nextSteps } from './database-messages.js';
import { restoreTo } from './database-plan.js';
import type { RestoreCompleteView, RestoreFailedView, RestoreProgressView, RestoreStartedView, RestoreSubjectView } from './database-template-views.js';
import { formatDuration } from './messages.js';
import { escapeMrkdwn, escapeUserText, mention } from './mrkdwn.js';
import type { PagerView } from './template-views.js';
import { formatTime } from './views.js';

const STEPS = {
  'waiting-for-source': 'waiting for the source',
  snapshotting: 'snapshotting the source',
  restoring: 'restoring into the new instance',
} as const;

/** A database rollback is a data incident: SEV1 in a protected environment, SEV2 elsewhere. */
export function databaseSeverity(environment: EnvironmentSpec): { label: string; pager: 'critical' | 'error' } {
  return environment.protected ? { label: 'SEV1', pager: 'critical' } : { label: 'SEV2', pager: 'error' };
}

/** Where the new instance answers, once the restore stored it. */
export function restoredEndpoint(rollback: RollbackRecord): { address: string; port: number } | null {
  return (rollback.meta['restore'] as RestoreProgress | undefined)?.endpoint ?? null;
}

/** `restore-started`, in progress or in its final state. */
export function restoreStartedView(
  environment: EnvironmentSpec,
  rollback: RollbackRecord,
  state: RestoreStartedView['state'],
  pager: PagerView,
  threadLink: string | null,
  durationMs: number | null,
): RestoreStartedView {
  const endpoint = restoredEndpoint(rollback);
  return {
    ...subject(rollback),
    state,
    inProgress: state === 'in_progress',
    complete: state === 'complete',
    failed: state === 'failed',
    requestedBy: mention(rollback.requestedBy),
    confirmedBy: rollback.confirmedBy ? mention(rollback.confirmedBy) : null,
    approvedBy: rollback.approvedBy ? mention(rollback.approvedBy) : null,
    reason: rollback.reason ? escapeUserText(rollback.reason) : null,
    severity: databaseSeverity(environment).label,
    expectedDuration: `10 to 60+ minutes; the bot waits up to ${environment.tunables.restoreTimeoutMinutes} min for each of the snapshot and the restore`,
    startedAt: formatTime(rollback.startedAt ?? rollback.createdAt),
    duration: durationMs === null ? null : formatDuration(durationMs),
    endpoint: endpoint ? escapeMrkdwn(`${endpoint.address}:${endpoint.port}`) : null,
    pagerduty: pager,
    threadLink,
  };
}

/** `restore-progress`, from a progress event. */
export function restoreProgressView(event: Extract<RollbackEvent, { type: 'database-progress' }>): RestoreProgressView {
  return {
    ...subject(event.rollback),
    step: STEPS[event.step],
    status: escapeMrkdwn(event.status),
    percent: event.percent === null ? null : `${event.percent}%`,
    elapsed: formatDuration(event.elapsedMs),
    note: event.note ? escapeMrkdwn(event.note) : null,
  };
}

/** `restore-complete`: the endpoint and the next steps. */
export function restoreCompleteView(environment: EnvironmentSpec | undefined, rollback: RollbackRecord, durationMs: number, pager: PagerView): RestoreCompleteView {
  const endpoint = restoredEndpoint(rollback) ?? { address: 'unknown', port: 0 };
  return {
    ...subject(rollback),
    duration: formatDuration(durationMs),
    endpoint: escapeMrkdwn(`${endpoint.address}:${endpoint.port}`),
    nextSteps: nextSteps(rollback, environment, endpoint),
    requestedBy: mention(rollback.requestedBy),
    approvedBy: rollback.approvedBy ? mention(rollback.approvedBy) : null,
    reason: rollback.reason ? escapeUserText(rollback.reason) : null,
    pagerduty: pager,
  };
}

/** `restore-failed`, with the reason the runner recorded on the database's row. */
export function restoreFailedView(rollback: RollbackRecord, services: ServiceRollbackRecord[], durationMs: number, pager: PagerView): RestoreFailedView {
  const record = services[0];
  return {
    ...subject(rollback),
    duration: formatDuration(durationMs),
    outcome: record?.state === 'timed_out' ? 'timed out' : 'failed',
    problem: escapeMrkdwn(record?.detail ?? 'no reason given'),
    requestedBy: mention(rollback.requestedBy),
    reason: rollback.reason ? escapeUserText(rollback.reason) : null,
    pagerduty: pager,
  };
}

function subject(rollback: RollbackRecord): RestoreSubjectView {
  const plan = rollback.plan.database as DatabaseRestorePlan;
  return {
    rollbackId: rollback.id,
    environment: escapeMrkdwn(rollback.environment),
    database: escapeMrkdwn(plan.database),
    sourceInstance: escapeMrkdwn(plan.sourceInstance),
    targetInstance: escapeMrkdwn(plan.targetInstance),
    preRestoreSnapshot: escapeMrkdwn(plan.preRestoreSnapshot),
    restoreTo: escapeMrkdwn(restoreTo(plan)),
    engine: escapeMrkdwn(`${plan.engine} ${plan.engineVersion}`),
    settings: escapeMrkdwn(describeSettings(plan.settings)),
  };
}
