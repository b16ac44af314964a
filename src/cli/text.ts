import type { RollbackPlan, ServicePlan } from '../domain/plan.js';
import { plannedAwsCalls } from '../domain/planned-calls.js';
import { parseTaskDefinitionArn, shortName } from '../domain/task-definition.js';
import type { DeployLock } from '../ports/deploy-locks.js';
import type { ServiceLockHolder, ServiceRollbackRecord } from '../ports/store.js';
import type { RollbackHistoryPage } from '../rollbacks/rollback-history.js';
import type { EnvironmentStatus } from '../rollbacks/status-report.js';
import { formatDuration } from '../slack/render/messages.js';
import { TARGET_SOURCE_WORDS } from '../slack/render/operator-messages.js';
import { imageTags, targetLabel } from '../slack/render/plan-blocks.js';

// The command line's plain-text counterparts of the Slack messages: same facts, no markup.

/**
 * Text someone else typed (a reason), made inert for a terminal: control characters, escape sequences
 * among them, are dropped so a stored reason cannot rewrite the screen, and the length is bounded.
 */
export function printable(text: string, max = 500): string {
  const plain = text.replace(/[\p{Cc}\p{Cf}]/gu, (c) => (c === '\n' || c === '\t' ? ' ' : ''));
  return [...plain].length > max ? `${[...plain].slice(0, max).join('')}…` : plain;
}

/** A time as people in several zones read it alike. */
export function utc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** One line per service of a plan. */
export function planLines(plan: RollbackPlan): string[] {
  return plan.services.map((s) => `  ${s.service}: ${shortName(s.current)} (${imageTags(s.current)}) -> ${targetLabel(s.target)} (${imageTags(s.target)})  ${actionWords(s)}`);
}

function actionWords(s: ServicePlan): string {
  if (s.action.kind === 'none') return 'already running it: nothing to do';
  if (s.action.kind === 'stop-deployment') return 'stops the deployment in progress; ECS rolls it back';
  return s.registerFrom ? 'registers the new revision, then updates the service' : 'updates the service, forcing a new deployment';
}

/** A dry run: the plan and every AWS call a real run would make. */
export function dryRunText(plan: RollbackPlan): string[] {
  const calls = plannedAwsCalls(plan);
  return [
    `Dry run of a rollback in ${plan.environment}: nothing was changed.`,
    ...planLines(plan),
    ...(calls.length > 0 ? ['A real run would call:', ...calls.map((c) => `  ${c}`)] : ['A real run would change nothing.']),
  ];
}

/** How each service ended. */
export function resultLines(services: ServiceRollbackRecord[]): string[] {
  return services.map((s) => {
    const target = parseTaskDefinitionArn(s.toTaskDefinition);
    const to = target ? shortName(target) : s.toTaskDefinition || 'a new revision';
    const took = s.startedAt && s.finishedAt ? ` in ${formatDuration(s.finishedAt.getTime() - s.startedAt.getTime())}` : '';
    const what = {
      succeeded: `succeeded: running ${to}${took}`,
      failed: `FAILED${took}: ${printable(s.detail ?? 'no reason given')}`,
      timed_out: `TIMED OUT${took}: ${printable(s.detail ?? '')}`,
      unchanged: `already on ${to}`,
      pending: 'not started',
      acting: 'unfinished',
      watching: 'unfinished',
    }[s.state];
    return `  ${s.service}: ${what}`;
  });
}

/** Services held by other rollbacks. */
export function heldByLines(heldBy: ServiceLockHolder[]): string[] {
  return heldBy.map((h) => `  ${h.service} is being rolled back by ${h.requestedBy} (${h.rollbackId})`);
}

/** "deploys frozen since …: rolled back by X because Y". */
export function lockText(lock: DeployLock): string {
  const how = lock.rollbackId ? `rolled back by ${lock.lockedBy}` : `locked by ${lock.lockedBy}`;
  return `deploys frozen since ${utc(lock.since)}: ${how}${lock.reason ? ` because ${printable(lock.reason, 200)}` : ''}${lock.rollbackId ? ` (${lock.rollbackId})` : ''}`;
}

/** `rollback-bot status <env>`. */
export function statusText(status: EnvironmentStatus): string[] {
  const lines = [`Status of ${status.environment} (cluster ${status.cluster}, ${status.region}) at ${utc(status.at)}`];
  if (status.alarmsProblem) lines.push(`! alarm states unknown: ${status.alarmsProblem}`);
  for (const row of status.services) {
    if (!row.ecs) lines.push(`${row.service}: not found in ECS`);
    else {
      const runs = row.ecs.running ? `${shortName(row.ecs.running)} (${imageTags(row.ecs.running)})` : 'an unknown revision';
      const rollout = row.ecs.rolloutState ? `, rollout ${row.ecs.rolloutState}` : '';
      lines.push(`${row.service}: runs ${runs}, ${row.ecs.runningCount}/${row.ecs.desiredCount} running${rollout}${row.ecs.deployments > 1 ? `, ${row.ecs.deployments} deployments` : ''}`);
    }
    const plan = row.rollbackTo;
    if (plan) {
      lines.push(
        plan.action.kind === 'none'
          ? `    rollback: already on its last good revision ${targetLabel(plan.target)}`
          : `    rollback would go to ${targetLabel(plan.target)} (${imageTags(plan.target)}), ${TARGET_SOURCE_WORDS[plan.targetSource]}`,
      );
    }
    for (const problem of row.problems) lines.push(`    ! ${problem}`);
    if (row.alarmsInAlarm.length > 0) lines.push(`    in ALARM: ${row.alarmsInAlarm.join(', ')}`);
    if (row.rollbackInFlight) lines.push(`    being rolled back by ${row.rollbackInFlight.requestedBy} (${row.rollbackInFlight.rollbackId})`);
    if (row.deployLock) lines.push(`    ${lockText(row.deployLock)}`);
  }
  return lines;
}

/** `rollback-bot history <env> [service]`. */
export function historyText(page: RollbackHistoryPage): string[] {
  const lines = [`Latest rollbacks in ${page.environment}${page.service ? ` / ${page.service}` : ''}`];
  for (const lock of page.locks) lines.push(`${lock.service}: ${lockText(lock)}`);
  if (page.rollbacks.length === 0) lines.push('No rollbacks yet.');
  for (const r of page.rollbacks) {
    const outcome = r.state !== 'succeeded' || r.verified === null ? r.state.replace('_', ' ') : r.verified ? 'succeeded, verified' : 'succeeded, unverified';
    const people = [`by ${r.requestedBy}`, ...(r.confirmedBy && r.confirmedBy !== r.requestedBy ? [`confirmed by ${r.confirmedBy}`] : []), ...(r.approvedBy ? [`approved by ${r.approvedBy}`] : [])];
    lines.push(`${r.id}  ${utc(r.requestedAt)}  ${outcome}${r.durationMs !== null ? ` in ${formatDuration(r.durationMs)}` : ''}  ${people.join(', ')}`);
    for (const s of r.services) lines.push(`    ${s.service}: ${revision(s.from)} -> ${revision(s.to)}${s.state === 'failed' || s.state === 'timed_out' ? ` (${s.state.replace('_', ' ')})` : ''}`);
    if (r.reason) lines.push(`    reason: ${printable(r.reason)}`);
    if (r.threadLink) lines.push(`    thread: ${r.threadLink}`);
  }
  return lines;
}

function revision(arn: string): string {
  if (!arn) return 'a new revision';
  const parsed = parseTaskDefinitionArn(arn);
  return parsed ? shortName(parsed) : arn;
}
