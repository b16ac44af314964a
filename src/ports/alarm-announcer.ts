import type { LatestDeployment } from '../domain/alarm-episodes.js';
import type { AlarmEpisode, EpisodeAction } from './alarm-episodes.js';
import type { AlarmState } from './alarms.js';
import type { IncidentRef } from './pager.js';

/** One service of an INCIDENT announcement: what it last deployed and what the alarm did about it. */
export interface AnnouncedService {
  environment: string;
  service: string;
  deployment: LatestDeployment | null;
  /** Why the deployment is unknown (ECS unreachable…), when it is. */
  deploymentProblem: string | null;
  action: EpisodeAction;
}

/**
 * Tells people about alarm episodes: the INCIDENT message in the incidents channel, replies in its
 * thread, and the episode's PagerDuty incident. Slack and PagerDuty failures are logged and said
 * where they can be, never thrown, so the watcher goes on.
 */
export interface AlarmAnnouncer {
  /** Posts the INCIDENT message and opens the episode's incident; either may come back null (not posted, not opened). */
  announce(
    episode: AlarmEpisode,
    alarm: AlarmState,
    services: AnnouncedService[],
  ): Promise<{ message: { channel: string; ts: string } | null; incident: IncidentRef | null }>;
  /**
   * Replies that the alarm is OK again after the episode's duration; resolves its incident unless
   * `runningRollbacks` (ids) still run, and says so. Resolves to whether the incident is now resolved.
   */
  recovered(episode: AlarmEpisode, recoveredAt: Date, runningRollbacks: string[]): Promise<boolean>;
  /** Resolves an incident left open at recovery, now that nothing runs for it; whether it is now resolved. */
  resolveLeftOpen(episode: AlarmEpisode): Promise<boolean>;
}
