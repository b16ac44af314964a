import { describeSettings, formatUtc, type DatabaseRestorePlan } from '../../domain/database-restore.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** `point in time 2026-11-22 02:30:00 UTC` or `snapshot rds:…`. */
export function restoreTo(plan: DatabaseRestorePlan): string {
  return plan.target.kind === 'time' ? `point in time ${formatUtc(new Date(plan.target.restoreTime))}` : `snapshot ${plan.target.snapshotId}`;
}

/** The database plan as prompt lines: what is restored where, what is copied, and what is never touched. */
export function databasePlanText(plan: DatabaseRestorePlan): string {
  const window = plan.target.kind === 'time' ? ` (restorable window ${formatUtc(new Date(plan.target.earliest))} to ${formatUtc(new Date(plan.target.latest))})` : '';
  return [
    `• *${escapeMrkdwn(plan.database)}* \`${escapeMrkdwn(plan.sourceInstance)}\` (${escapeMrkdwn(`${plan.engine} ${plan.engineVersion}`)}) → new instance \`${escapeMrkdwn(plan.targetInstance)}\` at ${escapeMrkdwn(restoreTo(plan))}${escapeMrkdwn(window)}`,
    `    _first snapshots the source as \`${escapeMrkdwn(plan.preRestoreSnapshot)}\`; copies ${escapeMrkdwn(describeSettings(plan.settings))}_`,
    '    _the source is never modified, renamed or deleted; switching the application over stays with you_',
  ].join('\n');
}

/** `db main → shieldai-production-db-rb-202611220300 (point in time …)`, for notification previews. */
export function databasePlanSummary(plan: DatabaseRestorePlan): string {
  return `db ${plan.database} → ${plan.targetInstance} (${restoreTo(plan)})`;
}
