import { shortName } from '../domain/task-definition.js';
import type { RollbackEvent } from '../rollbacks/rollback-events.js';
import { AnnouncementThreads, type Announcement, type AnnouncementKind, type AnnouncerDeps } from './announcement-threads.js';
import { startedMessage } from './render/messages.js';
import type { RollbackStartedView } from './render/template-views.js';
import { completeView, failedView, progressView, severityOf, startedView } from './render/views.js';

/**
 * Announces service rollbacks in the incidents channel: the started message, progress in its thread,
 * the final message in the thread and the top-level message updated to its end state; opens, annotates
 * and resolves the PagerDuty incident. Runs beside the engine, never in its way: a Slack or PagerDuty
 * failure is logged and said where it can be, and the rollback goes on.
 */
export function createIncidentAnnouncer(deps: AnnouncerDeps): (event: RollbackEvent) => Promise<void> {
  const kind: AnnouncementKind<RollbackStartedView['state']> = {
    noun: 'rollback',
    initialState: 'in_progress',
    top: (rollback, state, pager, threadLink, durationMs) =>
      deps.templates.render('rollback-started', startedView(deps.catalog.environments[rollback.environment]!, rollback, state, pager, threadLink, durationMs)),
    startedNotice: (rollback, threadLink) => startedMessage(rollback, threadLink),
    incident: (rollback) => ({
      summary: `Rollback of ${rollback.environment}: ${rollback.plan.services.map((s) => s.service).join(', ')}`,
      severity: severityOf(deps.catalog.environments[rollback.environment]!, rollback).pager,
      details: {
        services: rollback.plan.services.map((s) => ({ service: s.service, from: shortName(s.current), to: s.target.arn ? shortName(s.target) : `new revision of ${s.target.family}` })),
      },
    }),
  };
  const threads = new AnnouncementThreads(deps, kind);

  return async (event) => {
    const rollback = event.rollback;
    // Database rollbacks have announcements of their own (database-announcer.ts).
    if (rollback.plan.database) return;
    switch (event.type) {
      case 'started': {
        const a = await threads.of(rollback);
        if (!event.resumed) await threads.note(a, `Rollback started by ${rollback.requestedBy}${a.threadLink ? `: ${a.threadLink}` : ''}`);
        return;
      }
      case 'progress': {
        const a = await threads.of(rollback);
        await threads.reply(a, deps.templates.render('rollback-progress', progressView(event)), `progress:${rollback.id}`);
        return;
      }
      case 'verifying': {
        const a = await threads.of(rollback);
        await threads.note(a, `ECS reports every service stable; verifying health for ${Math.round(event.windowMs / 60_000)} min.`);
        return;
      }
      case 'finished': {
        const a = await threads.of(rollback);
        const verified = event.outcome === 'succeeded' && (event.verification?.verified ?? true);
        const state: RollbackStartedView['state'] = event.outcome === 'failed' ? 'failed' : verified ? 'complete' : 'unverified';
        await settleIncident(deps, threads, a, event, verified);
        await threads.save(rollback, a);
        const message =
          event.outcome === 'failed'
            ? deps.templates.render('rollback-failed', failedView(rollback, event.services, event.durationMs, a.pager))
            : deps.templates.render('rollback-complete', completeView(rollback, event.services, event.verification, event.durationMs, a.pager));
        await threads.reply(a, message);
        await threads.updateTop(rollback, a, state, event.durationMs);
        threads.forget(rollback.id);
        return;
      }
      default:
        return;
    }
  };
}

/** Resolves the incident when the rollback verified healthy; otherwise leaves it open and says why. */
async function settleIncident(
  deps: AnnouncerDeps,
  threads: AnnouncementThreads<string>,
  a: Announcement,
  event: Extract<RollbackEvent, { type: 'finished' }>,
  verified: boolean,
): Promise<void> {
  if (!a.incident) return;
  if (verified) {
    const result = await deps.pager.resolve(a.incident, `Rollback ${event.rollback.id} completed and verified healthy.`);
    a.pager = result.ok ? { ...a.pager, status: 'resolved' } : { ...a.pager, status: `left open: PagerDuty unreachable (${result.error})` };
    return;
  }
  const why = event.outcome === 'failed' ? 'the rollback failed' : `the rollback is unverified: ${(event.verification?.problems ?? []).join(' ')}`;
  a.pager = { ...a.pager, status: 'left open' };
  await threads.note(a, `Left open: ${why}`);
}
