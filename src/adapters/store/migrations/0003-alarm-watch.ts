import { sql, type Kysely } from 'kysely';
import type { StoreMigration } from './index.js';

/** Alarm episodes (announced once, whatever restarts) and named leases (one replica watches alarms). */
export const alarmWatch: StoreMigration = {
  name: '0003_alarm_watch',
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('alarm_episodes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('alarm_name', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('targets', 'text', (c) => c.notNull())
      .addColumn('actions', 'text', (c) => c.notNull())
      .addColumn('announcement_channel', 'text')
      .addColumn('announcement_ts', 'text')
      .addColumn('announced_at', 'bigint')
      .addColumn('incident_dedup_key', 'text')
      .addColumn('incident', 'text')
      .addColumn('recovered_at', 'bigint')
      .addColumn('incident_resolved_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // The same move into ALARM is recorded once, and an alarm has at most one open episode: the two
    // indexes, not the watcher's care, are what keep a restart or a second replica from announcing again.
    await db.schema.createIndex('alarm_episodes_start').on('alarm_episodes').columns(['region', 'alarm_name', 'started_at']).unique().execute();
    await db.schema
      .createIndex('alarm_episodes_open')
      .on('alarm_episodes')
      .columns(['region', 'alarm_name'])
      .unique()
      .where(sql.ref('recovered_at'), 'is', null)
      .execute();

    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
