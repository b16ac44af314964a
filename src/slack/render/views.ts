import type { EnvironmentSpec } from '../../domain/catalog.js';
import type { ServicePlan } from '../../domain/plan.js';
import { parseTaskDefinitionArn, shortName } from '../../domain/task-definition.js';
import type { RollbackRecord, ServiceRollbackRecord } from '../../ports/store.js';
import { describeProbe, type Verdict } from '../../rollbacks/health-monitor.js';
import type { RollbackEvent } from '../../rollbacks/rollback-events.js';
import { formatDuration } from './messages.js';
import { escapeMrkdwn, escapeUserText, mention } from './mrkdwn.js';
import { imageTags, targetLabel } from './plan-blocks.js';
import type {
  PagerView,
  RollbackCompleteView,
  RollbackFailedView,
  RollbackProgressView,
  RollbackStartedView,
  ServiceChangeView,
  ServiceResultView,
} from './template-views.js';

/** How bad a rollback is, for the announcement and the incident's severity. */
export function severityOf(environment: EnvironmentSpec, rollback: RollbackRecord): { label: string; pager: 'critical' | 'error' | 'warning' } {
  if (environment.protected && rollback.plan.allServices) return { label: 'SEV1', pager: 'critical' };
  if (environment.protected) return { label: 'SEV2', pager: 'error' };
  return { label: 'SEV3', pager: 'warning' };
}

/** `rollback-started`, in progress or in its final state. */
export function startedView(
  environment: EnvironmentSpec,
  rollback: RollbackRecord,
  state: RollbackStartedView['state'],
  pager: PagerView,
  threadLink: string | null,
  durationMs: number | null,
): RollbackStartedView {
  const changes = rollback.plan.services.map(changeView);
  const { tunables } = environment;
  return {
    rollbackId: rollback.id,
    environment: escapeMrkdwn(rollback.environment),
    state,
    inProgress: state === 'in_progress',
    complete: state === 'complete',
    unverified: state === 'unverified',
    failed: state === 'failed',
    services: changes,
    serviceCount: changes.length,
    requestedBy: mention(rollback.requestedBy),
    confirmedBy: rollback.confirmedBy ? mention(rollback.confirmedBy) : null,
    approvedBy: rollback.approvedBy ? mention(rollback.approvedBy) : null,
    reason: rollback.reason ? escapeUserText(rollback.reason) : null,
    severity: severityOf(environment, rollback).label,
    expectedDuration: `up to ${tunables.timeoutMinutes} min for ECS, then ${tunables.verifyMinutes} min of health checks`,
    startedAt: formatTime(rollback.startedAt ?? rollback.createdAt),
    duration: durationMs === null ? null : formatDuration(durationMs),
    pagerduty: pager,
    threadLink,
  };
}

/** `rollback-progress`, from a progress event. */
export function progressView(event: Extract<RollbackEvent, { type: 'progress' }>): RollbackProgressView {
  const phase = event.verify
    ? `verifying (${formatDuration(Math.min(event.verify.elapsedMs, event.verify.windowMs))} of ${formatDuration(event.verify.windowMs)})`
    : 'rolling back';
  return {
    rollbackId: event.rollback.id,
    environment: escapeMrkdwn(event.rollback.environment),
    phase,
    elapsed: formatDuration(event.elapsedMs),
    services: event.services.map((s, i) => ({
      service: escapeMrkdwn(s.service),
      rolloutState: s.ecs?.rolloutState ?? ({ succeeded: 'COMPLETED', unchanged: 'unchanged', failed: 'FAILED', timed_out: 'timed out' } as Record<string, string>)[s.state] ?? 'waiting',
      runningCount: s.ecs?.runningCount ?? 0,
      desiredCount: s.ecs?.desiredCount ?? 0,
      pendingCount: s.ecs?.pendingCount ?? 0,
      failedTasks: s.ecs?.failedTasks ?? 0,
      health: s.health?.health ? `${describeProbe(s.health.health.last)} (${s.health.health.consecutiveOk} in a row)` : null,
      alarms: (s.health?.alarms ?? []).map((a) => ({ name: escapeMrkdwn(a.name), state: a.state })),
      metric: s.health?.metric ? `${escapeMrkdwn(s.health.metric.label)}: ${s.health.metric.value ?? 'no data'}` : null,
      note: [s.ecs?.note, i === 0 ? event.notes.join(' ') : ''].filter((n) => n).map((n) => escapeMrkdwn(n!)).join(' ') || null,
    })),
  };
}

/** `rollback-complete`, verified or not. */
export function completeView(rollback: RollbackRecord, services: ServiceRollbackRecord[], verification: Verdict | null, durationMs: number, pager: PagerView): RollbackCompleteView {
  return {
    rollbackId: rollback.id,
    environment: escapeMrkdwn(rollback.environment),
    verified: verification?.verified ?? true,
    problems: (verification?.problems ?? []).map((p) => escapeMrkdwn(p)),
    duration: formatDuration(durationMs),
    services: results(rollback, services, verification),
    requestedBy: mention(rollback.requestedBy),
    approvedBy: rollback.approvedBy ? mention(rollback.approvedBy) : null,
    reason: rollback.reason ? escapeUserText(rollback.reason) : null,
    pagerduty: pager,
  };
}

/** `rollback-failed`. */
export function failedView(rollback: RollbackRecord, services: ServiceRollbackRecord[], durationMs: number, pager: PagerView): RollbackFailedView {
  const all = results(rollback, services, null);
  return {
    rollbackId: rollback.id,
    environment: escapeMrkdwn(rollback.environment),
    duration: formatDuration(durationMs),
    failedServices: all.filter((s) => s.outcome === 'failed' || s.outcome === 'timed_out'),
    services: all,
    requestedBy: mention(rollback.requestedBy),
    reason: rollback.reason ? escapeUserText(rollback.reason) : null,
    pagerduty: pager,
  };
}

function results(rollback: RollbackRecord, services: ServiceRollbackRecord[], verification: Verdict | null): ServiceResultView[] {
  return rollback.plan.services.map((plan) => {
    const record = services.find((s) => s.service === plan.service);
    const to = record ? parseTaskDefinitionArn(record.toTaskDefinition) : null;
    const outcome = record?.state ?? 'pending';
    return {
      ...changeView(plan),
      ...(to ? { to: escapeMrkdwn(shortName(to)) } : {}),
      outcome,
      succeeded: outcome === 'succeeded' || outcome === 'unchanged',
      duration: record?.startedAt && record.finishedAt ? formatDuration(record.finishedAt.getTime() - record.startedAt.getTime()) : '–',
      reason: record?.detail ? escapeMrkdwn(record.detail) : null,
      verification: verification?.perService[plan.service] ? escapeMrkdwn(`ECS stable; ${verification.perService[plan.service]}`) : outcome === 'succeeded' && verification ? 'ECS stable' : null,
    };
  });
}

function changeView(s: ServicePlan): ServiceChangeView {
  return {
    service: escapeMrkdwn(s.service),
    ecsService: escapeMrkdwn(s.ecsService),
    from: escapeMrkdwn(shortName(s.current)),
    to: escapeMrkdwn(targetLabel(s.target)),
    fromImages: escapeMrkdwn(imageTags(s.current)),
    toImages: escapeMrkdwn(imageTags(s.target)),
    action:
      s.action.kind === 'none'
        ? 'already running it'
        : s.action.kind === 'stop-deployment'
          ? 'stop the deployment in progress; ECS rolls it back'
          : s.registerFrom
            ? 'register the revision, then update the service'
            : 'update the service, forcing a new deployment',
  };
}

/** `2026-11-22 03:00 UTC` */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
