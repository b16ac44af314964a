import type { LatestDeployment } from '../../domain/alarm-episodes.js';
import type { Catalog } from '../../domain/catalog.js';
import type { AnnouncedService } from '../../ports/alarm-announcer.js';
import type { AlarmEpisode, EpisodeAction } from '../../ports/alarm-episodes.js';
import type { AlarmState } from '../../ports/alarms.js';
import { formatDuration } from './messages.js';
import { escapeMrkdwn, escapeUserText } from './mrkdwn.js';
import type { IncidentAnnouncementView, PagerView } from './template-views.js';
import { formatTime } from './views.js';

/** The `rollback_offer` button's value: exactly these two keys, as JSON. */
export interface OfferValue {
  environment: string;
  service: string;
}

/** `incident-announcement` for an episode. CloudWatch's words (reason, metric) are untrusted and escaped here. */
export function incidentAnnouncementView(
  catalog: Catalog,
  episode: AlarmEpisode,
  alarm: AlarmState,
  services: AnnouncedService[],
  pagerduty: PagerView,
  now: number,
): IncidentAnnouncementView {
  const environments = [...new Set(episode.targets.map((t) => t.environment))];
  return {
    environment: escapeMrkdwn(environments.join(', ')),
    alarmName: escapeUserText(episode.alarmName, 255),
    reason: escapeUserText(alarm.reason || 'no reason given'),
    metric: escapeUserText(alarm.metricName ? `${alarm.metricName}${alarm.namespace ? ` (${alarm.namespace})` : ''}` : 'composite or metric-math alarm', 255),
    since: `${formatTime(episode.startedAt)} (${formatDuration(now - episode.startedAt.getTime())} ago)`,
    services: services.map((s) => ({
      service: escapeMrkdwn(environments.length > 1 ? `${s.environment}/${s.service}` : s.service),
      latestDeployment: [deploymentLine(s.deployment, s.deploymentProblem, now), actionLine(catalog, s.action, episode.alarmName)]
        .filter((part) => part !== '')
        .join(' · '),
      offerValue: JSON.stringify({ environment: s.environment, service: s.service } satisfies OfferValue),
    })),
    autoRollbackStarted: services.some((s) => s.action?.decision === 'auto-rollback' && Boolean(s.action.rollbackId)),
    pagerduty,
  };
}

/** `deployed 12m 30s ago: api:13 → api:14`, or why it is not known. */
export function deploymentLine(deployment: LatestDeployment | null, problem: string | null, now: number): string {
  if (problem) return `latest deployment unknown (${escapeUserText(problem, 200)})`;
  if (!deployment) return 'no recent deployment found';
  const change = `${escapeMrkdwn(deployment.from ?? '?')} → ${escapeMrkdwn(deployment.to ?? '?')}`;
  if (!deployment.finishedAt) {
    return deployment.startedAt ? `deploying since ${formatDuration(now - deployment.startedAt.getTime())} ago: ${change}` : `deploying: ${change}`;
  }
  return `deployed ${formatDuration(now - deployment.finishedAt.getTime())} ago: ${change}`;
}

function actionLine(catalog: Catalog, action: EpisodeAction, alarmName: string): string {
  const window = catalog.environments[action.environment]?.services[action.service]?.autoRollback?.withinMinutesOfDeploy;
  if (action.decision === 'auto-rollback') {
    return action.rollbackId && !action.outcome
      ? `*auto-rollback started* (\`${escapeMrkdwn(action.rollbackId)}\`, announced in its own message)`
      : `auto-rollback not started: ${escapeUserText(action.outcome ?? 'interrupted', 300)}`;
  }
  switch (action.why) {
    case 'outside-window':
      return `not rolled back by itself: deployed more than ${window} min before the alarm`;
    case 'deployed-after-alarm':
      return 'not rolled back by itself: deployed after the alarm fired';
    case 'seen-late':
      return `not rolled back by itself: the alarm was seen more than ${window} min after it fired`;
    case 'needs-confirmation':
      return 'protected: the button asks for a confirmation';
    case 'rollback-running':
      return 'a rollback of it is already under way';
    case 'deploy-locked':
      return `deploys are frozen: not rolled back by ${escapeUserText(alarmName, 255)}`;
    default:
      return '';
  }
}

/** The thread reply when the alarm is OK again. */
export function recoveryText(episode: AlarmEpisode, recoveredAt: Date, pager: string): string {
  const duration = formatDuration(recoveredAt.getTime() - episode.startedAt.getTime());
  return `:white_check_mark: *${escapeUserText(episode.alarmName, 255)}* is OK again since ${formatTime(recoveredAt)}, after ${duration} in ALARM.${pager ? ` ${pager}` : ''}`;
}
