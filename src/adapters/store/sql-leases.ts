import type { LeasesPort } from '../../ports/leases.js';
import type { StoreDatabase, StoreDb } from './database.js';

/** Named leases in the `leases` table, over the same database as the rollback store. */
export class SqlLeases implements LeasesPort {
  readonly #db: StoreDb;

  constructor({ db }: StoreDatabase) {
    this.#db = db;
  }

  async acquire(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const expiresAt = now.getTime() + ttlMs;
    // One upsert decides: PostgreSQL re-checks the update's condition on the row as it is once any
    // concurrent writer has committed, and SQLite runs one writer at a time, so of several replicas
    // asking at once exactly one gets a free or expired lease, and a live one stays with its holder.
    const result = await this.#db
      .insertInto('leases')
      .values({ name, holder, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder, expires_at: expiresAt })
          .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.expires_at', '<=', now.getTime())])),
      )
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.#db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
  }

  async holder(name: string, now: Date): Promise<string | null> {
    const row = await this.#db
      .selectFrom('leases')
      .select('holder')
      .where('name', '=', name)
      .where('expires_at', '>', now.getTime())
      .executeTakeFirst();
    return row?.holder ?? null;
  }
}
