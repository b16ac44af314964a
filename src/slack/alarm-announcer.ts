import { episodeIncidentKey } from '../domain/alarm-episodes.js';
import type { Catalog } from '../domain/catalog.js';
import type { AlarmAnnouncer } from '../ports/alarm-announcer.js';
import type { AlarmEpisode } from '../ports/alarm-episodes.js';
import type { Logger } from '../ports/logger.js';
import type { IncidentRef, PagerPort } from '../ports/pager.js';
import { incidentAnnouncementView, recoveryText } from './render/alarm-views.js';
import { notice } from './render/messages.js';
import type { MessageTemplates } from './render/templates.js';
import type { PagerView } from './render/template-views.js';
import { errorCode, type PostedMessage, type SlackPoster } from './slack-poster.js';

/** What the alarm announcer is given by the composition root. */
export interface AlarmAnnouncerDeps {
  catalog: Catalog;
  poster: SlackPoster;
  templates: MessageTemplates;
  pager: PagerPort;
  logger: Logger;
  now: () => number;
}

/**
 * Announces alarm episodes in the incidents channel from the `incident-announcement` template, with a
 * `rollback_offer` button per service, and keeps one PagerDuty incident per episode (dedup key
 * `<alarm>:<episode start ISO>`). Slack and PagerDuty failures are logged and said where they can
 * be; none is thrown, so the watcher goes on.
 */
export function createAlarmAnnouncer(deps: AlarmAnnouncerDeps): AlarmAnnouncer {
  const { catalog, poster, templates, pager, logger } = deps;
  const channel = catalog.incidentsChannel;

  const reply = async (episode: AlarmEpisode, text: string): Promise<void> => {
    const announcement = episode.announcement;
    if (!announcement) return;
    try {
      await poster.postMessage(announcement.channel, notice(text), { threadTs: announcement.ts });
    } catch (err) {
      logger.warn({ err: errorCode(err), episode: episode.id }, 'alarm thread reply not posted');
    }
  };

  const resolve = async (episode: AlarmEpisode, incident: IncidentRef, why: string): Promise<{ resolved: boolean; said: string }> => {
    const result = await pager.resolve(incident, why);
    if (result.ok) return { resolved: true, said: 'PagerDuty incident resolved.' };
    logger.warn({ err: result.error, episode: episode.id }, 'PagerDuty incident not resolved');
    return { resolved: false, said: `PagerDuty was unreachable (${result.error}): the incident is still open; I will try again.` };
  };

  return {
    async announce(episode, alarm, services) {
      const render = (pagerduty: PagerView) =>
        templates.render('incident-announcement', incidentAnnouncementView(catalog, episode, alarm, services, pagerduty, deps.now()));
      let message: PostedMessage | null = null;
      let link: string | null = null;
      try {
        message = await poster.postMessage(channel, render({ status: pager.mode === 'off' ? 'not configured' : 'opening…', url: null }));
        link = await poster.permalink(message.channel, message.ts);
      } catch (err) {
        logger.warn({ err: errorCode(err), episode: episode.id }, `could not announce the alarm in ${channel}; invite the bot there`);
      }
      if (pager.mode === 'off') return { message, incident: null };

      const environments = [...new Set(episode.targets.map((t) => t.environment))];
      const result = await pager.trigger({
        dedupKey: episodeIncidentKey(episode.alarmName, episode.startedAt),
        summary: `INCIDENT: ${episode.alarmName} in ALARM (${environments.join(', ')}): ${alarm.reason}`.slice(0, 1024),
        source: `rollback-bot/${environments.join(',')}`,
        severity: environments.some((e) => catalog.environments[e]?.protected) ? 'critical' : 'error',
        customDetails: {
          alarm: episode.alarmName,
          region: episode.region,
          since: episode.startedAt.toISOString(),
          reason: alarm.reason,
          services: services.map((s) => ({ environment: s.environment, service: s.service, deployment: s.deployment, action: s.action })),
        },
        links: link ? [{ href: link, text: 'Slack thread' }] : [],
      });
      if (!result.ok) logger.warn({ err: result.error, episode: episode.id }, 'PagerDuty incident not opened');
      const pagerduty: PagerView = result.ok ? { status: 'opened', url: result.value.htmlUrl ?? null } : { status: 'unreachable', url: null };
      if (message) {
        const posted = message;
        await poster
          .update(posted.channel, posted.ts, render(pagerduty))
          .catch((err: unknown) => logger.warn({ err: errorCode(err), episode: episode.id }, 'alarm announcement not updated'));
        if (!result.ok) await reply({ ...episode, announcement: posted }, `:warning: PagerDuty was unreachable (${result.error}): no incident was opened.`);
      }
      return { message, incident: result.ok ? result.value : null };
    },

    async recovered(episode, recoveredAt, runningRollbacks) {
      let outcome = { resolved: false, said: '' };
      if (episode.incident && runningRollbacks.length > 0) {
        outcome.said = `PagerDuty incident left open while ${runningRollbacks.map((id) => `\`${id}\``).join(', ')} runs.`;
      } else if (episode.incident) {
        outcome = await resolve(episode, episode.incident, `${episode.alarmName} is OK again.`);
      }
      await reply(episode, recoveryText(episode, recoveredAt, outcome.said));
      return outcome.resolved;
    },

    async resolveLeftOpen(episode) {
      if (!episode.incident) return false;
      const outcome = await resolve(episode, episode.incident, `${episode.alarmName} is OK again and its rollbacks have ended.`);
      if (outcome.resolved) await reply(episode, `:white_check_mark: Nothing runs for this alarm any more: ${outcome.said}`);
      return outcome.resolved;
    },
  };
}
