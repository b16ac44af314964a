import type { EnvironmentSpec } from '../../domain/catalog.js';
import { formatUtc } from '../../domain/database-restore.js';
import type { RollbackRecord } from '../../ports/store.js';
import type { SnapshotListOutcome, SnapshotReport } from '../../rollbacks/database-snapshots.js';
import { restoreTo } from './database-plan.js';
import { formatDuration, type SlackMessage } from './messages.js';
import { escapeMrkdwn, sections } from './mrkdwn.js';

/** What people do once the new instance is available; the bot does none of it. */
export function nextSteps(rollback: RollbackRecord, environment: EnvironmentSpec | undefined, endpoint: { address: string; port: number }): string[] {
  const plan = rollback.plan.database!;
  const services = Object.values(environment?.services ?? {}).map((s) => `\`${escapeMrkdwn(s.ecsService)}\``);
  return [
    `Check the data on \`${escapeMrkdwn(endpoint.address)}:${endpoint.port}\`: it answers with the source's users and passwords as of ${escapeMrkdwn(restoreTo(plan))}.`,
    `Point the application's database secret at it: host \`${escapeMrkdwn(endpoint.address)}\`, port \`${endpoint.port}\`.`,
    `Restart the services that read the secret so they reconnect (Force new deployment)${services.length > 0 ? `, e.g. in cluster \`${escapeMrkdwn(rollback.plan.cluster)}\`: ${services.join(', ')}` : ''}.`,
    `\`${escapeMrkdwn(plan.sourceInstance)}\` is untouched and still serving; snapshot \`${escapeMrkdwn(plan.preRestoreSnapshot)}\` holds it as it was just before the restore. Delete nothing until the switch-over is proven; the bot deletes nothing.`,
  ];
}

/** `/rollback db <env> <database> snapshots`. */
export function snapshotListMessage(listed: Extract<SnapshotListOutcome, { kind: 'listed' }>): SlackMessage {
  const window = listed.window
    ? `Point in time: ${formatUtc(listed.window.earliest)} to ${listed.window.latest ? formatUtc(listed.window.latest) : 'now'}.`
    : 'Point in time: none (automated backups are off).';
  const lines = listed.snapshots.map((s) => {
    const when = s.createdAt ? formatUtc(s.createdAt) : 'time unknown';
    const progress = s.status === 'creating' && s.percentProgress !== null ? ` ${s.percentProgress}%` : '';
    return `• \`${escapeMrkdwn(s.identifier)}\` ${escapeMrkdwn(s.type)} · ${escapeMrkdwn(s.status)}${progress} · ${when}`;
  });
  const text = [
    `*Snapshots of ${escapeMrkdwn(listed.database)}* (\`${escapeMrkdwn(listed.instance)}\`, ${escapeMrkdwn(listed.environment)}), newest first:`,
    ...(lines.length > 0 ? lines : ['_none_']),
    window,
    `Restore one with \`/rollback db ${escapeMrkdwn(listed.environment)} ${escapeMrkdwn(listed.database)} to snapshot:<id>\`.`,
  ].join('\n');
  return { text, blocks: sections(text) };
}

/** The manual snapshot was started. */
export function snapshotStartedMessage(environment: string, snapshot: string, instance: string): SlackMessage {
  return {
    text: `:camera: Taking snapshot \`${escapeMrkdwn(snapshot)}\` of \`${escapeMrkdwn(instance)}\` (${escapeMrkdwn(environment)}). I will tell you here when it is available; the database stays online.`,
  };
}

/** How a manual snapshot ended. */
export function snapshotReportMessage(report: SnapshotReport): SlackMessage {
  const name = `\`${escapeMrkdwn(report.snapshot)}\` of \`${escapeMrkdwn(report.instance)}\``;
  const took = formatDuration(report.durationMs);
  if (report.outcome === 'available') return { text: `:white_check_mark: Snapshot ${name} is available (took ${took}).` };
  if (report.outcome === 'timed_out') return { text: `:alarm_clock: Snapshot ${name} is still \`${escapeMrkdwn(report.status)}\` after ${took}; I stopped watching it. Check it with \`/rollback db ${escapeMrkdwn(report.environment)} ${escapeMrkdwn(report.database)} snapshots\`.` };
  return { text: `:x: Snapshot ${name} failed: RDS reports it \`${escapeMrkdwn(report.status)}\`.` };
}

/** Ephemeral to the requester when the restore starts. */
export function restoreStartedNotice(rollback: RollbackRecord, threadLink: string | null): SlackMessage {
  const plan = rollback.plan.database!;
  const where = threadLink ? ` Follow it in <${threadLink}|the incident thread>.` : ' I will tell you here how it ends.';
  return { text: `:floppy_disk: Restoring *${escapeMrkdwn(plan.database)}* (${escapeMrkdwn(rollback.environment)}) into \`${escapeMrkdwn(plan.targetInstance)}\` (\`${rollback.id}\`); this takes 10 to 60+ minutes.${where}` };
}

/** Ephemeral to the requester when the restore ends. */
export function restoreFinishedNotice(
  rollback: RollbackRecord,
  result: { outcome: 'succeeded' | 'failed'; endpoint: { address: string; port: number } | null; detail: string | null },
  durationMs: number,
  threadLink: string | null,
): SlackMessage {
  const plan = rollback.plan.database!;
  const { outcome, endpoint, detail } = result;
  const thread = threadLink ? ` Next steps are in <${threadLink}|the incident thread>.` : '';
  if (outcome === 'succeeded' && endpoint) {
    return { text: `:white_check_mark: \`${escapeMrkdwn(plan.targetInstance)}\` is available at \`${escapeMrkdwn(endpoint.address)}:${endpoint.port}\` after ${formatDuration(durationMs)} (\`${rollback.id}\`). Switching the application over is yours to do.${thread}` };
  }
  return { text: `:x: The restore of *${escapeMrkdwn(plan.database)}* FAILED after ${formatDuration(durationMs)} (\`${rollback.id}\`): ${escapeMrkdwn(detail ?? 'no reason given')} The source is unchanged.` };
}
