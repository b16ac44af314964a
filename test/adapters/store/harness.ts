import { afterEach } from 'vitest';
import type { StoreDatabase } from '../../../src/adapters/store/database.js';
import type { StoreLogger } from '../../../src/adapters/store/migrate.js';
import { openDatabase, type OpenStoreOptions } from '../../../src/adapters/store/open-store.js';
import { SqlRollbackStore } from '../../../src/adapters/store/sql-rollback-store.js';

/** Gives the contract suites empty databases of one dialect. */
export interface StoreHarness {
  /** Options for a new, empty database; passing them to `open` again reopens the same one. */
  freshOptions(): Promise<OpenStoreOptions>;
}

/** A store together with the database under it, for tests that must look beneath the port. */
export interface OpenedStore extends StoreDatabase {
  store: SqlRollbackStore;
  /** Messages logged while opening (migrations applied). */
  logged: string[];
}

/** Opens stores for one test and closes them all after it. */
export function useStores(harness: StoreHarness): {
  open(options?: OpenStoreOptions): Promise<OpenedStore>;
} {
  const opened: SqlRollbackStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  return {
    async open(options) {
      const logged: string[] = [];
      const logger: StoreLogger = {
        info: (fields, message) => logged.push(`${message} ${JSON.stringify(fields)}`),
        warn: (fields, message) => logged.push(`${message} ${JSON.stringify(fields)}`),
      };
      const database = await openDatabase({ ...(options ?? (await harness.freshOptions())), logger });
      const store = new SqlRollbackStore(database);
      opened.push(store);
      return { ...database, store, logged };
    },
  };
}
