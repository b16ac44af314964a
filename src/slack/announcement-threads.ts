import type { Catalog } from '../domain/catalog.js';
import type { Logger } from '../ports/logger.js';
import type { IncidentRef, IncidentRequest, PagerPort } from '../ports/pager.js';
import type { RollbackRecord, RollbackStore } from '../ports/store.js';
import { notice, type SlackMessage } from './render/messages.js';
import type { MessageTemplates } from './render/templates.js';
import type { PagerView } from './render/template-views.js';
import { errorCode, type PostedMessage, type SlackPoster } from './slack-poster.js';

/** What an announcer is given by the composition root. */
export interface AnnouncerDeps {
  catalog: Catalog;
  poster: SlackPoster;
  templates: MessageTemplates;
  pager: PagerPort;
  store: Pick<RollbackStore, 'mergeMeta' | 'getRollback'>;
  logger: Logger;
  now: () => number;
}

/** Where an announcement lives and what PagerDuty said, kept in the rollback's meta across restarts. */
export interface Announcement {
  message: PostedMessage | null;
  threadLink: string | null;
  incident: IncidentRef | null;
  pager: PagerView;
}

/** What differs between announcing a service rollback and a database restore. */
export interface AnnouncementKind<State extends string> {
  /** `rollback` or `restore`, as people read it in a warning. */
  noun: string;
  /** The top-level message in a state. */
  top(rollback: RollbackRecord, state: State, pager: PagerView, threadLink: string | null, durationMs: number | null): SlackMessage;
  /** The state the top message starts in. */
  initialState: State;
  /** The requester's ephemeral "started", with the thread link when there is one. */
  startedNotice(rollback: RollbackRecord, threadLink: string | null): SlackMessage;
  /** What this kind adds to the incident; the dedup key (the rollback's id), source, who, why and thread link are common. */
  incident(rollback: RollbackRecord): Pick<IncidentRequest, 'summary' | 'severity'> & { details: Record<string, unknown> };
}

/**
 * The life of one announcement in the incidents channel, shared by the service and database announcers:
 * the top message, its permalink, the requester told, the PagerDuty incident opened (or why not, in the
 * thread), replies, notes and the top message rewritten, all remembered in the rollback's meta so a
 * restarted bot carries on in the same thread. Failures are logged and said where they can be; none is thrown.
 */
export class AnnouncementThreads<State extends string> {
  private readonly announcements = new Map<string, Promise<Announcement>>();

  constructor(
    private readonly deps: AnnouncerDeps,
    private readonly kind: AnnouncementKind<State>,
  ) {}

  /** The rollback's announcement: remembered, restored from the store, or posted now. */
  of(rollback: RollbackRecord): Promise<Announcement> {
    let found = this.announcements.get(rollback.id);
    if (!found) {
      const stored = rollback.meta['announcement'] as Announcement | undefined;
      found = stored ? Promise.resolve(stored) : this.announce(rollback);
      this.announcements.set(rollback.id, found);
    }
    return found;
  }

  /** A reply in the announcement's thread; a `coalesceKey` folds queued progress into the newest. */
  async reply(a: Announcement, message: SlackMessage, coalesceKey?: string): Promise<void> {
    if (!a.message) return;
    await this.deps.poster.postMessage(a.message.channel, message, { threadTs: a.message.ts, ...(coalesceKey ? { coalesceKey } : {}) });
  }

  /** Rewrites the top message to `state`. */
  async updateTop(rollback: RollbackRecord, a: Announcement, state: State, durationMs: number | null): Promise<void> {
    if (!a.message) return;
    await this.deps.poster.update(a.message.channel, a.message.ts, this.kind.top(rollback, state, a.pager, a.threadLink, durationMs));
  }

  /** A note on the incident, where PagerDuty's REST API is in use. */
  async note(a: Announcement, text: string): Promise<void> {
    if (!a.incident || this.deps.pager.mode !== 'rest') return;
    const result = await this.deps.pager.note(a.incident, text);
    if (!result.ok) this.deps.logger.warn({ err: result.error }, 'PagerDuty note not added');
  }

  /** Stores the announcement's current state in the rollback. */
  save(rollback: RollbackRecord, a: Announcement): Promise<void> {
    return this.deps.store.mergeMeta(rollback.id, { announcement: a }, new Date(this.deps.now()));
  }

  /** Forgets a finished rollback's announcement. */
  forget(rollbackId: string): void {
    this.announcements.delete(rollbackId);
  }

  /** An ephemeral message to the requester, through the command's response_url when the channel refuses it. */
  async tellRequester(rollback: RollbackRecord, message: SlackMessage): Promise<void> {
    if (!/^[UW][A-Z0-9]+$/.test(rollback.requestedBy)) return;
    const fallback = typeof rollback.meta['responseUrl'] === 'string' ? rollback.meta['responseUrl'] : undefined;
    await this.deps.poster.postEphemeral(rollback.channelId, rollback.requestedBy, message, fallback);
  }

  private async announce(rollback: RollbackRecord): Promise<Announcement> {
    const { deps, kind } = this;
    const channel = deps.catalog.incidentsChannel;
    const pager: PagerView = { status: deps.pager.mode === 'off' ? 'not configured' : 'opening…', url: null };
    const a: Announcement = { message: null, threadLink: null, incident: null, pager };
    try {
      a.message = await deps.poster.postMessage(channel, kind.top(rollback, kind.initialState, pager, null, null));
      a.threadLink = await deps.poster.permalink(a.message.channel, a.message.ts);
    } catch (err) {
      deps.logger.warn({ err: errorCode(err), rollbackId: rollback.id }, `could not announce the ${kind.noun}`);
      await this.tellRequester(rollback, notice(`:warning: I could not announce this ${kind.noun} in <#${channel}> (${errorCode(err)}); invite me there. The ${kind.noun} goes on.`));
    }
    await this.save(rollback, a);
    await this.tellRequester(rollback, kind.startedNotice(rollback, a.threadLink));
    if (deps.pager.mode === 'off') return a;

    const own = kind.incident(rollback);
    const result = await deps.pager.trigger({
      dedupKey: rollback.id,
      summary: `${own.summary}${rollback.reason ? ` (${rollback.reason})` : ''}`.slice(0, 1024),
      source: `rollback-bot/${rollback.environment}`,
      severity: own.severity,
      customDetails: {
        environment: rollback.environment,
        ...own.details,
        requestedBy: rollback.requestedBy,
        approvedBy: rollback.approvedBy,
        reason: rollback.reason,
        rollbackId: rollback.id,
      },
      links: a.threadLink ? [{ href: a.threadLink, text: 'Slack thread' }] : [],
    });
    if (result.ok) {
      a.incident = result.value;
      a.pager = { status: 'opened', url: result.value.htmlUrl ?? null };
    } else {
      a.pager = { status: 'unreachable', url: null };
      await this.reply(a, notice(`:warning: PagerDuty was unreachable (${result.error}): no incident was opened. The ${kind.noun} goes on.`));
    }
    await this.save(rollback, a);
    await this.updateTop(rollback, a, kind.initialState, null);
    return a;
  }
}
