import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { initial } from './0001-initial.js';
import { deployLocks } from './0002-deploy-locks.js';
import { alarmWatch } from './0003-alarm-watch.js';

/** One schema change, written once for both dialects; `name` fixes its place in the order. */
export interface StoreMigration {
  /** `NNNN_snake_case`; never renamed once released, since databases record it. */
  name: string;
  // Kysely<any>: a migration describes the schema as it was then, not today's `Database` type.
  up(db: Kysely<any>, dialect: DialectName): Promise<void>;
}

/** Every migration, oldest first. Append new ones; never edit or reorder released ones. */
export const migrations: readonly StoreMigration[] = [initial, deployLocks, alarmWatch];
