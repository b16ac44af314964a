/**
 * Named leases in the shared store, so that exactly one replica does a thing (watch alarms, carry a
 * rollback) and another takes over when the holder stops renewing.
 */
export interface LeasesPort {
  /**
   * Takes the lease `name` for `holder` until `now + ttlMs` when it is free, expired, or already
   * held by `holder` (a renewal); false when another holder's lease is still live. Atomic across replicas.
   */
  acquire(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Gives the lease up, if `holder` holds it. */
  release(name: string, holder: string): Promise<void>;
  /** Who holds `name` now, or null when it is free or expired. */
  holder(name: string, now: Date): Promise<string | null>;
}
