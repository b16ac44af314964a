import type { IncidentRef } from '../ports/pager.js';
import type { RollbackRecord } from '../ports/store.js';
import type { SnapshotReport } from '../rollbacks/database-snapshots.js';
import type { RollbackEvent } from '../rollbacks/rollback-events.js';
import type { AnnouncerDeps } from './incident-announcer.js';
import { restoreFinishedNotice, restoreStartedNotice, snapshotReportMessage } from './render/database-messages.js';
import { restoreTo } from './render/database-plan.js';
import type { RestoreStartedView } from './render/database-template-views.js';
import { databaseSeverity, restoreCompleteView, restoredEndpoint, restoreFailedView, restoreProgressView, restoreStartedView } from './render/database-views.js';
import { notice, type SlackMessage } from './render/messages.js';
import type { PagerView } from './render/template-views.js';
import { errorCode, type PostedMessage } from './slack-poster.js';

/** Where a database rollback's announcement lives and what PagerDuty said, kept in the rollback's meta across restarts. */
interface Announcement {
  message: PostedMessage | null;
  threadLink: string | null;
  incident: IncidentRef | null;
  pager: PagerView;
}

/**
 * Announces database rollbacks in the incidents channel, as the incident announcer does services: the
 * restore-started message, progress in its thread, the endpoint and next steps (or the failure) at the end,
 * the top message rewritten to its end state, and one PagerDuty incident (dedup key: the rollback's id). The
 * incident stays open when the restore completes: switching the application over is left to people.
 */
export function createDatabaseAnnouncer(deps: AnnouncerDeps): (event: RollbackEvent) => Promise<void> {
  const announcements = new Map<string, Promise<Announcement>>();
  const channel = deps.catalog.incidentsChannel;
  const save = (rollback: RollbackRecord, a: Announcement) => deps.store.mergeMeta(rollback.id, { announcement: a }, new Date(deps.now()));

  const reply = async (a: Announcement, message: SlackMessage, coalesceKey?: string) => {
    if (!a.message) return;
    await deps.poster.postMessage(a.message.channel, message, { threadTs: a.message.ts, ...(coalesceKey ? { coalesceKey } : {}) });
  };

  const updateTop = async (rollback: RollbackRecord, a: Announcement, state: RestoreStartedView['state'], durationMs: number | null) => {
    const environment = deps.catalog.environments[rollback.environment];
    if (!a.message || !environment) return;
    await deps.poster.update(a.message.channel, a.message.ts, deps.templates.render('restore-started', restoreStartedView(environment, rollback, state, a.pager, a.threadLink, durationMs)));
  };

  const note = async (a: Announcement, text: string) => {
    if (!a.incident || deps.pager.mode !== 'rest') return;
    const result = await deps.pager.note(a.incident, text);
    if (!result.ok) deps.logger.warn({ err: result.error }, 'PagerDuty note not added');
  };

  const announce = async (rollback: RollbackRecord): Promise<Announcement> => {
    const environment = deps.catalog.environments[rollback.environment]!;
    const plan = rollback.plan.database!;
    const announcement: Announcement = { message: null, threadLink: null, incident: null, pager: { status: deps.pager.mode === 'off' ? 'not configured' : 'opening…', url: null } };
    try {
      announcement.message = await deps.poster.postMessage(channel, deps.templates.render('restore-started', restoreStartedView(environment, rollback, 'in_progress', announcement.pager, null, null)));
      announcement.threadLink = await deps.poster.permalink(announcement.message.channel, announcement.message.ts);
    } catch (err) {
      deps.logger.warn({ err: errorCode(err), rollbackId: rollback.id }, 'could not announce the database rollback');
      await tellRequester(deps, rollback, notice(`:warning: I could not announce this restore in <#${channel}> (${errorCode(err)}); invite me there. The restore goes on.`));
    }
    await save(rollback, announcement);
    await tellRequester(deps, rollback, restoreStartedNotice(rollback, announcement.threadLink));
    if (deps.pager.mode === 'off') return announcement;

    const result = await deps.pager.trigger({
      dedupKey: rollback.id,
      summary: `Database rollback of ${rollback.environment}: ${plan.database} restored into ${plan.targetInstance} (${restoreTo(plan)})${rollback.reason ? ` (${rollback.reason})` : ''}`.slice(0, 1024),
      source: `rollback-bot/${rollback.environment}`,
      severity: databaseSeverity(environment).pager,
      customDetails: {
        environment: rollback.environment,
        database: plan.database,
        sourceInstance: plan.sourceInstance,
        targetInstance: plan.targetInstance,
        restoreTo: restoreTo(plan),
        preRestoreSnapshot: plan.preRestoreSnapshot,
        requestedBy: rollback.requestedBy,
        approvedBy: rollback.approvedBy,
        reason: rollback.reason,
        rollbackId: rollback.id,
      },
      links: announcement.threadLink ? [{ href: announcement.threadLink, text: 'Slack thread' }] : [],
    });
    if (result.ok) {
      announcement.incident = result.value;
      announcement.pager = { status: 'opened', url: result.value.htmlUrl ?? null };
    } else {
      announcement.pager = { status: 'unreachable', url: null };
      await reply(announcement, notice(`:warning: PagerDuty was unreachable (${result.error}): no incident was opened. The restore goes on.`));
    }
    await save(rollback, announcement);
    await updateTop(rollback, announcement, 'in_progress', null);
    return announcement;
  };

  const announcementOf = (rollback: RollbackRecord): Promise<Announcement> => {
    let found = announcements.get(rollback.id);
    if (!found) {
      const stored = rollback.meta['announcement'] as Announcement | undefined;
      found = stored ? Promise.resolve(stored) : announce(rollback);
      announcements.set(rollback.id, found);
    }
    return found;
  };

  const finish = async (event: Extract<RollbackEvent, { type: 'finished' }>) => {
    const { rollback, outcome, durationMs } = event;
    const a = await announcementOf(rollback);
    const environment = deps.catalog.environments[rollback.environment];
    const endpoint = restoredEndpoint(rollback);
    if (a.incident) {
      const why =
        outcome === 'succeeded'
          ? `Restored into ${rollback.plan.database!.targetInstance}${endpoint ? ` at ${endpoint.address}:${endpoint.port}` : ''}; the switch-over to it is manual, so the incident stays open.`
          : `The restore failed: ${event.services[0]?.detail ?? 'no reason given'}`;
      a.pager = { ...a.pager, status: outcome === 'succeeded' ? 'left open: the switch-over is manual' : 'left open' };
      await note(a, why);
    }
    await save(rollback, a);
    const message =
      outcome === 'succeeded'
        ? deps.templates.render('restore-complete', restoreCompleteView(environment, rollback, durationMs, a.pager))
        : deps.templates.render('restore-failed', restoreFailedView(rollback, event.services, durationMs, a.pager));
    await reply(a, message);
    await updateTop(rollback, a, outcome === 'succeeded' ? 'complete' : 'failed', durationMs);
    await tellRequester(deps, rollback, restoreFinishedNotice(rollback, { outcome, endpoint, detail: event.services[0]?.detail ?? null }, durationMs, a.threadLink));
    announcements.delete(rollback.id);
  };

  return async (event) => {
    if (!event.rollback.plan.database) return;
    switch (event.type) {
      case 'started': {
        const a = await announcementOf(event.rollback);
        if (!event.resumed) await note(a, `Database restore started by ${event.rollback.requestedBy}${a.threadLink ? `: ${a.threadLink}` : ''}`);
        return;
      }
      case 'database-progress': {
        const a = await announcementOf(event.rollback);
        await reply(a, deps.templates.render('restore-progress', restoreProgressView(event)), `progress:${event.rollback.id}`);
        return;
      }
      case 'finished':
        return finish(event);
      default:
        return;
    }
  };
}

async function tellRequester(deps: AnnouncerDeps, rollback: RollbackRecord, message: SlackMessage): Promise<void> {
  if (!/^[UW][A-Z0-9]+$/.test(rollback.requestedBy)) return;
  const fallback = typeof rollback.meta['responseUrl'] === 'string' ? rollback.meta['responseUrl'] : undefined;
  await deps.poster.postEphemeral(rollback.channelId, rollback.requestedBy, message, fallback);
}

/** Tells the person who took a manual snapshot how it ended, where they asked for it. */
export function createSnapshotNotifier(poster: AnnouncerDeps['poster']): (report: SnapshotReport) => Promise<void> {
  return async (report) => {
    if (!/^[UW][A-Z0-9]+$/.test(report.requester.actor)) return;
    await poster.postEphemeral(report.requester.channelId, report.requester.actor, snapshotReportMessage(report), report.requester.responseUrl);
  };
}
