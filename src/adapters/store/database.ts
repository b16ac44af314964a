import type { Generated, Kysely } from 'kysely';
import type { AuditEntry, PromptRecord } from '../../ports/store.js';
import type { RollbackState, ServiceRollbackState } from '../../domain/rollback-state.js';

// Column types are the lowest common denominator of SQLite and PostgreSQL, so one query layer
// serves both: times are epoch milliseconds, JSON is text, booleans are 0/1.

/** Epoch milliseconds (bigint in PostgreSQL, read back as a number by our pool's int8 parser). */
export type EpochMs = number;

/** Which SQL engine is behind a `StoreDb`, for the few places the SQL differs (row locks, identity columns). */
export type DialectName = 'sqlite' | 'postgres';

/** `rollbacks`: one row per rollback request. */
export interface RollbacksTable {
  id: string;
  environment: string;
  state: RollbackState;
  requested_by: string;
  confirmed_by: string | null;
  approved_by: string | null;
  reason: string;
  dry_run: 0 | 1;
  channel_id: string;
  /** `RollbackPlan` as JSON. */
  plan: string;
  /** JSON object. */
  meta: string;
  expires_at: EpochMs | null;
  created_at: EpochMs;
  updated_at: EpochMs;
  started_at: EpochMs | null;
  finished_at: EpochMs | null;
}

/** `rollback_services`: one row per service of a rollback; primary key (rollback_id, service). */
export interface RollbackServicesTable {
  rollback_id: string;
  service: string;
  state: ServiceRollbackState;
  from_task_definition: string;
  to_task_definition: string;
  started_at: EpochMs | null;
  finished_at: EpochMs | null;
  detail: string | null;
}

/** `prompts`: Slack messages with buttons; primary key (rollback_id, kind). */
export interface PromptsTable {
  rollback_id: string;
  kind: PromptRecord['kind'];
  channel_id: string;
  message_ts: string | null;
  response_url: string | null;
  created_at: EpochMs;
  expires_at: EpochMs;
  answer: PromptRecord['answer'];
  answered_by: string | null;
  answered_at: EpochMs | null;
}

/** `service_locks`: which rollback holds a service; primary key (environment, service). */
export interface ServiceLocksTable {
  environment: string;
  service: string;
  rollback_id: string;
  since: EpochMs;
}

/** `audit_log`: append-only; `id` orders entries that share a timestamp. */
export interface AuditLogTable {
  id: Generated<number>;
  at: EpochMs;
  actor: string;
  action: string;
  environment: string | null;
  service: string | null;
  rollback_id: string | null;
  from_revision: string | null;
  to_revision: string | null;
  outcome: AuditEntry['outcome'];
  /** JSON object or null. */
  detail: string | null;
}

/** `deploy_locks`: deploy freezes; primary key (environment, service). */
export interface DeployLocksTable {
  environment: string;
  service: string;
  locked_by: string;
  reason: string;
  since: EpochMs;
  rollback_id: string | null;
}

/** `alarm_episodes`: one row per stretch of an alarm in ALARM; unique (region, alarm_name, started_at), one open per alarm. */
export interface AlarmEpisodesTable {
  id: string;
  region: string;
  alarm_name: string;
  started_at: EpochMs;
  /** JSON array of AlarmTarget. */
  targets: string;
  /** JSON array of EpisodeAction. */
  actions: string;
  announcement_channel: string | null;
  announcement_ts: string | null;
  announced_at: EpochMs | null;
  incident_dedup_key: string | null;
  /** JSON IncidentRef or null. */
  incident: string | null;
  recovered_at: EpochMs | null;
  incident_resolved_at: EpochMs | null;
  created_at: EpochMs;
}

/** `leases`: who does a thing alone (the alarm watcher) until when; primary key name. */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: EpochMs;
}

/** Every table the store knows; later migrations add their tables here too. */
export interface Database {
  rollbacks: RollbacksTable;
  rollback_services: RollbackServicesTable;
  prompts: PromptsTable;
  service_locks: ServiceLocksTable;
  audit_log: AuditLogTable;
  deploy_locks: DeployLocksTable;
  alarm_episodes: AlarmEpisodesTable;
  leases: LeasesTable;
}

/** The typed query builder over either dialect. */
export type StoreDb = Kysely<Database>;

/** An open, migrated database, for adapters that add their own tables beside the rollback store. */
export interface StoreDatabase {
  db: StoreDb;
  dialect: DialectName;
}
