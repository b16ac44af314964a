import type { Catalog } from '../domain/catalog.js';
import { shortName } from '../domain/task-definition.js';
import type { Logger } from '../ports/logger.js';
import type { IncidentRef, PagerPort } from '../ports/pager.js';
import type { RollbackRecord, RollbackStore } from '../ports/store.js';
import type { RollbackEvent } from '../rollbacks/rollback-events.js';
import { notice, startedMessage } from './render/messages.js';
import type { MessageTemplates } from './render/templates.js';
import type { PagerView, RollbackStartedView } from './render/template-views.js';
import { completeView, failedView, progressView, severityOf, startedView } from './render/views.js';
import { errorCode, type PostedMessage, type SlackPoster } from './slack-poster.js';

/** What the announcer is given by the composition root. */
export interface AnnouncerDeps {
  catalog: Catalog;
  poster: SlackPoster;
  templates: MessageTemplates;
  pager: PagerPort;
  store: Pick<RollbackStore, 'mergeMeta' | 'getRollback'>;
  logger: Logger;
  now: () => number;
}

/** Where a rollback's announcement lives and what PagerDuty said, kept in the rollback's meta across restarts. */
interface Announcement {
  message: PostedMessage | null;
  threadLink: string | null;
  incident: IncidentRef | null;
  pager: PagerView;
}

/**
 * Announces rollbacks in the incidents channel: the started message, progress in its thread, the
 * final message in the thread and the top-level message updated to its end state; opens, annotates
 * and resolves the PagerDuty incident. Runs beside the engine, never in its way: a Slack or
 * PagerDuty failure is logged and said where it can be, and the rollback goes on.
 */
export function createIncidentAnnouncer(deps: AnnouncerDeps): (event: RollbackEvent) => Promise<void> {
  const announcements = new Map<string, Promise<Announcement>>();
  const channel = deps.catalog.incidentsChannel;

  const save = (rollback: RollbackRecord, a: Announcement) => deps.store.mergeMeta(rollback.id, { announcement: a }, new Date(deps.now()));

  const announce = async (rollback: RollbackRecord): Promise<Announcement> => {
    const environment = deps.catalog.environments[rollback.environment]!;
    const pager: PagerView = { status: deps.pager.mode === 'off' ? 'not configured' : 'opening…', url: null };
    const announcement: Announcement = { message: null, threadLink: null, incident: null, pager };
    try {
      announcement.message = await deps.poster.postMessage(channel, deps.templates.render('rollback-started', startedView(environment, rollback, 'in_progress', pager, null, null)));
      announcement.threadLink = await deps.poster.permalink(announcement.message.channel, announcement.message.ts);
    } catch (err) {
      deps.logger.warn({ err: errorCode(err), rollbackId: rollback.id }, 'could not announce the rollback');
      await tellRequester(deps, rollback, notice(`:warning: I could not announce this rollback in <#${channel}> (${errorCode(err)}); invite me there. The rollback goes on.`));
    }
    await save(rollback, announcement);
    await tellRequester(deps, rollback, startedMessage(rollback, announcement.threadLink));
    if (deps.pager.mode === 'off') return announcement;

    const severity = severityOf(environment, rollback);
    const result = await deps.pager.trigger({
      dedupKey: rollback.id,
      summary: `Rollback of ${rollback.environment}: ${rollback.plan.services.map((s) => s.service).join(', ')}${rollback.reason ? ` (${rollback.reason})` : ''}`.slice(0, 1024),
      source: `rollback-bot/${rollback.environment}`,
      severity: severity.pager,
      customDetails: {
        environment: rollback.environment,
        services: rollback.plan.services.map((s) => ({ service: s.service, from: shortName(s.current), to: s.target.arn ? shortName(s.target) : `new revision of ${s.target.family}` })),
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
      await reply(announcement, notice(`:warning: PagerDuty was unreachable (${result.error}): no incident was opened. The rollback goes on.`));
    }
    await save(rollback, announcement);
    await updateTop(rollback, announcement, 'in_progress', null);
    return announcement;
  };

  const reply = async (a: Announcement, message: ReturnType<typeof notice>, coalesceKey?: string) => {
    if (!a.message) return;
    await deps.poster.postMessage(a.message.channel, message, { threadTs: a.message.ts, ...(coalesceKey ? { coalesceKey } : {}) });
  };

  const updateTop = async (rollback: RollbackRecord, a: Announcement, state: RollbackStartedView['state'], durationMs: number | null) => {
    if (!a.message) return;
    const environment = deps.catalog.environments[rollback.environment]!;
    await deps.poster.update(a.message.channel, a.message.ts, deps.templates.render('rollback-started', startedView(environment, rollback, state, a.pager, a.threadLink, durationMs)));
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

  const note = async (a: Announcement, text: string) => {
    if (!a.incident || deps.pager.mode !== 'rest') return;
    const result = await deps.pager.note(a.incident, text);
    if (!result.ok) deps.logger.warn({ err: result.error }, 'PagerDuty note not added');
  };

  return async (event) => {
    const rollback = event.rollback;
    // Database rollbacks have announcements of their own (database-announcer.ts).
    if (rollback.plan.database) return;
    switch (event.type) {
      case 'started': {
        const a = await announcementOf(rollback);
        if (!event.resumed) await note(a, `Rollback started by ${rollback.requestedBy}${a.threadLink ? `: ${a.threadLink}` : ''}`);
        return;
      }
      case 'progress': {
        const a = await announcementOf(rollback);
        await reply(a, deps.templates.render('rollback-progress', progressView(event)), `progress:${rollback.id}`);
        return;
      }
      case 'verifying': {
        const a = await announcementOf(rollback);
        await note(a, `ECS reports every service stable; verifying health for ${Math.round(event.windowMs / 60_000)} min.`);
        return;
      }
      case 'finished': {
        const a = await announcementOf(rollback);
        const verified = event.outcome === 'succeeded' && (event.verification?.verified ?? true);
        const state: RollbackStartedView['state'] = event.outcome === 'failed' ? 'failed' : verified ? 'complete' : 'unverified';
        await settleIncident(deps, a, event, verified);
        await save(rollback, a);
        const message =
          event.outcome === 'failed'
            ? deps.templates.render('rollback-failed', failedView(rollback, event.services, event.durationMs, a.pager))
            : deps.templates.render('rollback-complete', completeView(rollback, event.services, event.verification, event.durationMs, a.pager));
        await reply(a, message);
        await updateTop(rollback, a, state, event.durationMs);
        announcements.delete(rollback.id);
        return;
      }
      default:
        return;
    }
  };
}

/** Resolves the incident when the rollback verified healthy; otherwise leaves it open and says why. */
async function settleIncident(deps: AnnouncerDeps, a: Announcement, event: Extract<RollbackEvent, { type: 'finished' }>, verified: boolean): Promise<void> {
  if (!a.incident) return;
  if (verified) {
    const result = await deps.pager.resolve(a.incident, `Rollback ${event.rollback.id} completed and verified healthy.`);
    a.pager = result.ok ? { ...a.pager, status: 'resolved' } : { ...a.pager, status: `left open: PagerDuty unreachable (${result.error})` };
    return;
  }
  const why = event.outcome === 'failed' ? 'the rollback failed' : `the rollback is unverified: ${(event.verification?.problems ?? []).join(' ')}`;
  a.pager = { ...a.pager, status: 'left open' };
  if (deps.pager.mode === 'rest') {
    const result = await deps.pager.note(a.incident, `Left open: ${why}`);
    if (!result.ok) deps.logger.warn({ err: result.error }, 'PagerDuty note not added');
  }
}

async function tellRequester(deps: AnnouncerDeps, rollback: RollbackRecord, message: ReturnType<typeof notice>): Promise<void> {
  if (!/^[UW][A-Z0-9]+$/.test(rollback.requestedBy)) return;
  const fallback = typeof rollback.meta['responseUrl'] === 'string' ? rollback.meta['responseUrl'] : undefined;
  await deps.poster.postEphemeral(rollback.channelId, rollback.requestedBy, message, fallback);
}
