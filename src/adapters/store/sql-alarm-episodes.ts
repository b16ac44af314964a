import type { Selectable } from 'kysely';
import type { AlarmTarget } from '../../domain/alarm-targets.js';
import type { AlarmEpisode, AlarmEpisodesPort, EpisodeAction, NewAlarmEpisode } from '../../ports/alarm-episodes.js';
import type { IncidentRef } from '../../ports/pager.js';
import type { AlarmEpisodesTable, StoreDatabase, StoreDb } from './database.js';
import { toDate } from './rows.js';

/** Alarm episodes in the `alarm_episodes` table, over the same database as the rollback store. */
export class SqlAlarmEpisodes implements AlarmEpisodesPort {
  readonly #db: StoreDb;

  constructor({ db }: StoreDatabase) {
    this.#db = db;
  }

  async open(episode: NewAlarmEpisode, now: Date): Promise<boolean> {
    // Either unique index (same start recorded before, or another episode of the alarm still open)
    // turns the insert into nothing, in one statement on both dialects.
    const result = await this.#db
      .insertInto('alarm_episodes')
      .values({
        id: episode.id,
        region: episode.region,
        alarm_name: episode.alarmName,
        started_at: episode.startedAt.getTime(),
        targets: JSON.stringify(episode.targets),
        actions: '[]',
        announcement_channel: null,
        announcement_ts: null,
        announced_at: null,
        incident_dedup_key: null,
        incident: null,
        recovered_at: null,
        incident_resolved_at: null,
        created_at: now.getTime(),
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async get(id: string): Promise<AlarmEpisode | null> {
    const row = await this.#db.selectFrom('alarm_episodes').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rowToEpisode(row) : null;
  }

  async listOpen(): Promise<AlarmEpisode[]> {
    const rows = await this.#db
      .selectFrom('alarm_episodes')
      .selectAll()
      .where('recovered_at', 'is', null)
      .orderBy('started_at')
      .orderBy('alarm_name')
      .orderBy('region')
      .execute();
    return rows.map(rowToEpisode);
  }

  async listAwaitingResolution(): Promise<AlarmEpisode[]> {
    const rows = await this.#db
      .selectFrom('alarm_episodes')
      .selectAll()
      .where('recovered_at', 'is not', null)
      .where('incident', 'is not', null)
      .where('incident_resolved_at', 'is', null)
      .orderBy('started_at')
      .orderBy('alarm_name')
      .orderBy('region')
      .execute();
    return rows.map(rowToEpisode);
  }

  async saveActions(id: string, actions: EpisodeAction[]): Promise<void> {
    await this.#db.updateTable('alarm_episodes').set({ actions: JSON.stringify(actions) }).where('id', '=', id).execute();
  }

  async saveAnnouncement(id: string, announcement: AlarmEpisode['announcement'], incident: IncidentRef | null, at: Date): Promise<void> {
    await this.#db
      .updateTable('alarm_episodes')
      .set({
        announcement_channel: announcement?.channel ?? null,
        announcement_ts: announcement?.ts ?? null,
        announced_at: at.getTime(),
        incident_dedup_key: incident?.dedupKey ?? null,
        incident: incident ? JSON.stringify(incident) : null,
      })
      .where('id', '=', id)
      .execute();
  }

  async recover(id: string, at: Date): Promise<boolean> {
    const result = await this.#db
      .updateTable('alarm_episodes')
      .set({ recovered_at: at.getTime() })
      .where('id', '=', id)
      .where('recovered_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async markIncidentResolved(id: string, at: Date): Promise<boolean> {
    const result = await this.#db
      .updateTable('alarm_episodes')
      .set({ incident_resolved_at: at.getTime() })
      .where('id', '=', id)
      .where('incident_resolved_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

function rowToEpisode(row: Selectable<AlarmEpisodesTable>): AlarmEpisode {
  return {
    id: row.id,
    region: row.region,
    alarmName: row.alarm_name,
    startedAt: toDate(row.started_at),
    targets: JSON.parse(row.targets) as AlarmTarget[],
    actions: JSON.parse(row.actions) as EpisodeAction[],
    announcement: row.announcement_channel && row.announcement_ts ? { channel: row.announcement_channel, ts: row.announcement_ts } : null,
    announcedAt: toDate(row.announced_at),
    incident: row.incident ? (JSON.parse(row.incident) as IncidentRef) : null,
    recoveredAt: toDate(row.recovered_at),
    incidentResolvedAt: toDate(row.incident_resolved_at),
  };
}
