import type { SnapshotReport } from '../rollbacks/database-snapshots.js';
import type { RollbackEvent } from '../rollbacks/rollback-events.js';
import { AnnouncementThreads, type AnnouncementKind, type AnnouncerDeps } from './announcement-threads.js';
import { restoreFinishedNotice, restoreStartedNotice, snapshotReportMessage } from './render/database-messages.js';
import { restoreTo } from './render/database-plan.js';
import type { RestoreStartedView } from './render/database-template-views.js';
import { databaseSeverity, restoreCompleteView, restoredEndpoint, restoreFailedView, restoreProgressView, restoreStartedView } from './render/database-views.js';

/**
 * Announces database rollbacks in the incidents channel, as the incident announcer does services: the
 * restore-started message, progress in its thread, the endpoint and next steps (or the failure) at the end,
 * the top message rewritten to its end state, and one PagerDuty incident (dedup key: the rollback's id). The
 * incident stays open when the restore completes: switching the application over is left to people.
 */
export function createDatabaseAnnouncer(deps: AnnouncerDeps): (event: RollbackEvent) => Promise<void> {
  const kind: AnnouncementKind<RestoreStartedView['state']> = {
    noun: 'restore',
    initialState: 'in_progress',
    top: (rollback, state, pager, threadLink, durationMs) =>
      deps.templates.render('restore-started', restoreStartedView(deps.catalog.environments[rollback.environment]!, rollback, state, pager, threadLink, durationMs)),
    startedNotice: (rollback, threadLink) => restoreStartedNotice(rollback, threadLink),
    incident: (rollback) => {
      const plan = rollback.plan.database!;
      return {
        summary: `Database rollback of ${rollback.environment}: ${plan.database} restored into ${plan.targetInstance} (${restoreTo(plan)})`,
        severity: databaseSeverity(deps.catalog.environments[rollback.environment]!).pager,
        details: {
          database: plan.database,
          sourceInstance: plan.sourceInstance,
          targetInstance: plan.targetInstance,
          restoreTo: restoreTo(plan),
          preRestoreSnapshot: plan.preRestoreSnapshot,
        },
      };
    },
  };
  const threads = new AnnouncementThreads(deps, kind);

  const finish = async (event: Extract<RollbackEvent, { type: 'finished' }>) => {
    const { rollback, outcome, durationMs } = event;
    const a = await threads.of(rollback);
    const environment = deps.catalog.environments[rollback.environment];
    const endpoint = restoredEndpoint(rollback);
    if (a.incident) {
      const why =
        outcome === 'succeeded'
          ? `Restored into ${rollback.plan.database!.targetInstance}${endpoint ? ` at ${endpoint.address}:${endpoint.port}` : ''}; the switch-over to it is manual, so the incident stays open.`
          : `The restore failed: ${event.services[0]?.detail ?? 'no reason given'}`;
      a.pager = { ...a.pager, status: outcome === 'succeeded' ? 'left open: the switch-over is manual' : 'left open' };
      await threads.note(a, why);
    }
    await threads.save(rollback, a);
    const message =
      outcome === 'succeeded'
        ? deps.templates.render('restore-complete', restoreCompleteView(environment, rollback, durationMs, a.pager))
        : deps.templates.render('restore-failed', restoreFailedView(rollback, event.services, durationMs, a.pager));
    await threads.reply(a, message);
    await threads.updateTop(rollback, a, outcome === 'succeeded' ? 'complete' : 'failed', durationMs);
    await threads.tellRequester(rollback, restoreFinishedNotice(rollback, { outcome, endpoint, detail: event.services[0]?.detail ?? null }, durationMs, a.threadLink));
    threads.forget(rollback.id);
  };

  return async (event) => {
    if (!event.rollback.plan.database) return;
    switch (event.type) {
      case 'started': {
        const a = await threads.of(event.rollback);
        if (!event.resumed) await threads.note(a, `Database restore started by ${event.rollback.requestedBy}${a.threadLink ? `: ${a.threadLink}` : ''}`);
        return;
      }
      case 'database-progress': {
        const a = await threads.of(event.rollback);
        await threads.reply(a, deps.templates.render('restore-progress', restoreProgressView(event)), `progress:${event.rollback.id}`);
        return;
      }
      case 'finished':
        return finish(event);
      default:
        return;
    }
  };
}

/** Tells the person who took a manual snapshot how it ended, where they asked for it. */
export function createSnapshotNotifier(poster: AnnouncerDeps['poster']): (report: SnapshotReport) => Promise<void> {
  return async (report) => {
    if (!/^[UW][A-Z0-9]+$/.test(report.requester.actor)) return;
    await poster.postEphemeral(report.requester.channelId, report.requester.actor, snapshotReportMessage(report), report.requester.responseUrl);
  };
}
