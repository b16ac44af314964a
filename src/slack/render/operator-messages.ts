import type { TargetSource } from '../../domain/plan.js';
import type { RollbackState } from '../../domain/rollback-state.js';
import { parseTaskDefinitionArn, shortName } from '../../domain/task-definition.js';
import type { DeployLock } from '../../ports/deploy-locks.js';
import type { LockOutcome, UnlockOutcome } from '../../rollbacks/deploy-locking.js';
import type { PastRollback, RollbackHistoryPage } from '../../rollbacks/rollback-history.js';
import type { EnvironmentStatus, ServiceStatusRow } from '../../rollbacks/status-report.js';
import { formatDuration, type SlackMessage } from './messages.js';
import { escapeMrkdwn, escapeUserText, mention, sections } from './mrkdwn.js';
import { imageTags, targetLabel } from './plan-blocks.js';

/** How the planner chose a target, in a few words. */
export const TARGET_SOURCE_WORDS: Record<TargetSource, string> = {
  'ecs-deployment-history': 'from ECS’s deployment history',
  'ecs-deployments': 'the service’s older deployment',
  'task-definition-family': 'the newest older ACTIVE revision',
  'requested-revision': 'as requested',
  'requested-image-tag': 'as requested',
  'registered-for-image-tag': 'to be registered',
};

/** `/rollback status <env>`. */
export function statusMessage(status: EnvironmentStatus): SlackMessage {
  const head = `*Status of ${escapeMrkdwn(status.environment)}* (cluster \`${escapeMrkdwn(status.cluster)}\`, ${escapeMrkdwn(status.region)}) at ${slackTime(status.at)}`;
  const alarms = status.alarmsProblem ? [`:warning: Alarm states unknown: ${escapeMrkdwn(status.alarmsProblem)}`] : [];
  const text = [head, ...alarms, ...status.services.map(serviceStatus)].join('\n');
  const frozen = status.services.filter((s) => s.deployLock).length;
  const summary = `Status of ${status.environment}: ${status.services.length} services${frozen > 0 ? `, ${frozen} with deploys frozen` : ''}`;
  return { text: summary, blocks: sections(text) };
}

function serviceStatus(row: ServiceStatusRow): string {
  const lines: string[] = [];
  const name = `*${escapeMrkdwn(row.service)}*`;
  if (!row.ecs) {
    lines.push(`• ${name} :question: not found in ECS`);
  } else {
    const runs = row.ecs.running ? `\`${escapeMrkdwn(shortName(row.ecs.running))}\` (${escapeMrkdwn(imageTags(row.ecs.running))})` : 'an unknown revision';
    const rollout = row.ecs.rolloutState ? `, rollout ${escapeMrkdwn(row.ecs.rolloutState)}` : '';
    const deployments = row.ecs.deployments > 1 ? `, ${row.ecs.deployments} deployments` : '';
    lines.push(`• ${name} runs ${runs}: ${row.ecs.runningCount}/${row.ecs.desiredCount} running${rollout}${deployments}`);
  }
  const plan = row.rollbackTo;
  if (plan) {
    lines.push(
      plan.action.kind === 'none'
        ? `    rollback: already on its last good revision \`${escapeMrkdwn(targetLabel(plan.target))}\``
        : `    rollback would go to \`${escapeMrkdwn(targetLabel(plan.target))}\` (${escapeMrkdwn(imageTags(plan.target))}), ${TARGET_SOURCE_WORDS[plan.targetSource]}${plan.action.kind === 'stop-deployment' ? ', stopping the deployment in progress' : ''}`,
    );
  }
  for (const problem of row.problems) lines.push(`    :warning: ${escapeMrkdwn(problem)}`);
  if (row.alarmsInAlarm.length > 0) lines.push(`    :rotating_light: in ALARM: ${row.alarmsInAlarm.map(escapeMrkdwn).join(', ')}`);
  if (row.rollbackInFlight) {
    lines.push(`    :rewind: being rolled back by ${mention(row.rollbackInFlight.requestedBy)} (\`${escapeMrkdwn(row.rollbackInFlight.rollbackId)}\`)`);
  }
  if (row.deployLock) lines.push(`    :lock: ${lockLine(row.deployLock)}`);
  return lines.join('\n');
}

/** "deploys frozen since …: rolled back by X because Y". */
function lockLine(lock: DeployLock): string {
  const how = lock.rollbackId ? `rolled back by ${mention(lock.lockedBy)}` : `locked by ${mention(lock.lockedBy)}`;
  const why = lock.reason ? ` because ${escapeUserText(lock.reason, 200)}` : '';
  const rollback = lock.rollbackId ? ` (\`${escapeMrkdwn(lock.rollbackId)}\`)` : '';
  return `deploys frozen since ${slackTime(lock.since)}: ${how}${why}${rollback}. \`/rollback unlock ${escapeMrkdwn(lock.environment)} ${escapeMrkdwn(lock.service)}\` lifts it.`;
}

const STATE_WORDS: Record<RollbackState, string> = {
  awaiting_confirmation: ':hourglass: awaiting confirmation',
  awaiting_approval: ':hourglass: awaiting approval',
  running: ':arrows_counterclockwise: running',
  succeeded: ':white_check_mark: succeeded',
  failed: ':x: failed',
  cancelled: ':heavy_minus_sign: cancelled',
  expired: ':heavy_minus_sign: expired',
};

/** `/rollback history <env> [service]`. */
export function historyMessage(page: RollbackHistoryPage): SlackMessage {
  const scope = `${escapeMrkdwn(page.environment)}${page.service ? ` / ${escapeMrkdwn(page.service)}` : ''}`;
  const frozen = page.locks.map((l) => `:lock: *${escapeMrkdwn(l.service)}*: ${lockLine(l)}`);
  const body = page.rollbacks.length > 0 ? page.rollbacks.map(pastRollback) : ['_No rollbacks yet._'];
  const text = [`*Latest rollbacks in ${scope}*`, ...frozen, ...body].join('\n');
  return { text: `Latest rollbacks in ${page.environment}${page.service ? ` / ${page.service}` : ''}: ${page.rollbacks.length}`, blocks: sections(text) };
}

function pastRollback(r: PastRollback): string {
  const outcome = r.state !== 'succeeded' || r.verified === null ? STATE_WORDS[r.state] : r.verified ? ':white_check_mark: succeeded, verified' : ':warning: succeeded, unverified';
  const took = r.durationMs !== null ? ` in ${formatDuration(r.durationMs)}` : '';
  const people = [
    `by ${mention(r.requestedBy)}`,
    ...(r.confirmedBy && r.confirmedBy !== r.requestedBy ? [`confirmed by ${mention(r.confirmedBy)}`] : []),
    ...(r.approvedBy ? [`approved by ${mention(r.approvedBy)}`] : []),
  ].join(', ');
  const thread = r.threadLink ? ` · <${r.threadLink}|thread>` : '';
  const changes = r.services.map((s) => `\`${escapeMrkdwn(s.service)}\` ${revision(s.from)} → ${revision(s.to)}${s.state === 'failed' || s.state === 'timed_out' ? ` (${s.state.replace('_', ' ')})` : ''}`).join(', ');
  const reason = r.reason ? `\n    _${escapeUserText(r.reason, 200)}_` : '';
  return `• ${outcome}${took} · ${slackTime(r.requestedAt)} ${people} · \`${escapeMrkdwn(r.id)}\`${thread}\n    ${changes}${reason}`;
}

function revision(arn: string): string {
  if (!arn) return '_new revision_';
  const parsed = parseTaskDefinitionArn(arn);
  return `\`${escapeMrkdwn(parsed ? shortName(parsed) : arn)}\``;
}

/** The answer to `/rollback lock`. */
export function lockResultMessage(outcome: LockOutcome): SlackMessage {
  if (outcome.kind === 'refused') return { text: `:no_entry: ${outcome.message} Nothing was changed.` };
  const replaced = outcome.replaced ? ` It replaces the freeze set by ${mention(outcome.replaced.lockedBy)}.` : '';
  return { text: `:lock: *${escapeMrkdwn(outcome.lock.environment)} / ${escapeMrkdwn(outcome.lock.service)}*: ${lockLine(outcome.lock)}${replaced}` };
}

/** The answer to `/rollback unlock`. */
export function unlockResultMessage(environment: string, service: string, outcome: UnlockOutcome): SlackMessage {
  const where = `*${escapeMrkdwn(environment)} / ${escapeMrkdwn(service)}*`;
  if (outcome.kind === 'refused') return { text: `:no_entry: ${outcome.message} Nothing was changed.` };
  if (outcome.kind === 'not-locked') return { text: `:unlock: ${where} was not locked; nothing to lift.` };
  const was = outcome.lock.rollbackId ? `rolled back by ${mention(outcome.lock.lockedBy)}` : `locked by ${mention(outcome.lock.lockedBy)}`;
  return { text: `:unlock: ${where}: deploys may go ahead again (the freeze was set ${was} at ${slackTime(outcome.lock.since)}).` };
}

/** A time Slack shows in each reader's own time zone, with UTC as the fallback. */
function slackTime(date: Date): string {
  const utc = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} {time}|${utc}>`;
}
