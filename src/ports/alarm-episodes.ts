import type { HoldReason, OfferReason } from '../domain/alarm-episodes.js';
import type { AlarmTarget } from '../domain/alarm-targets.js';
import type { IncidentRef } from './pager.js';

/** What an episode did for one service it maps to. */
export interface EpisodeAction {
  environment: string;
  service: string;
  decision: 'auto-rollback' | 'offer' | 'hold';
  /** Why it only offered or held; null for an auto-rollback. */
  why: OfferReason | HoldReason | null;
  /** The rollback the alarm started, once started. */
  rollbackId: string | null;
  /** Why an auto-rollback that was decided did not start (refused, locked, nothing to do…), in words. */
  outcome: string | null;
}

/** One stretch of an alarm in ALARM: from its move into ALARM to its move back to OK. */
export interface AlarmEpisode {
  id: string;
  region: string;
  alarmName: string;
  /** The StateUpdatedTimestamp of the move into ALARM. */
  startedAt: Date;
  targets: AlarmTarget[];
  actions: EpisodeAction[];
  /** Where the INCIDENT message landed; null when it could not be posted, or before it was. */
  announcement: { channel: string; ts: string } | null;
  /** When the announcement was attempted, posted or not; null until then. */
  announcedAt: Date | null;
  /** The PagerDuty incident it opened; its dedup key is `<alarm>:<start ISO>`. */
  incident: IncidentRef | null;
  recoveredAt: Date | null;
  incidentResolvedAt: Date | null;
}

/** What opening an episode records. */
export type NewAlarmEpisode = Pick<AlarmEpisode, 'id' | 'region' | 'alarmName' | 'startedAt' | 'targets'>;

/** Alarm episodes in the shared store, so that neither a restart nor a second replica announces one twice. */
export interface AlarmEpisodesPort {
  /**
   * Records a new episode unless the alarm already has one open, or this one (same alarm, same start)
   * was recorded before; true only for the call that recorded it. Atomic across replicas.
   */
  open(episode: NewAlarmEpisode, now: Date): Promise<boolean>;
  get(id: string): Promise<AlarmEpisode | null>;
  /** Episodes not yet recovered, oldest first. */
  listOpen(): Promise<AlarmEpisode[]>;
  /** Recovered episodes whose incident is still open (left open while a rollback ran), oldest first. */
  listAwaitingResolution(): Promise<AlarmEpisode[]>;
  /** Replaces what the episode did per service. */
  saveActions(id: string, actions: EpisodeAction[]): Promise<void>;
  /** Records the announcement attempt: where the message landed (null: not posted) and the incident opened. */
  saveAnnouncement(id: string, announcement: AlarmEpisode['announcement'], incident: IncidentRef | null, at: Date): Promise<void>;
  /** Ends the episode; false when it had already ended. */
  recover(id: string, at: Date): Promise<boolean>;
  /** Records its incident as resolved; false when it already was. */
  markIncidentResolved(id: string, at: Date): Promise<boolean>;
}
