/** A deploy freeze on one service: set by a completed rollback or by hand, cleared by `/rollback unlock`. */
export interface DeployLock {
  environment: string;
  service: string;
  /** Slack user id, `cli:<name>`, `alarm:<name>` or `system`. */
  lockedBy: string;
  reason: string;
  since: Date;
  /** The rollback that froze it, when one did. */
  rollbackId: string | null;
}

/** Deploy freezes, read by status, the HTTP endpoint, the CLI and the alarm watcher. */
export interface DeployLocksPort {
  get(environment: string, service: string): Promise<DeployLock | null>;
  list(environment: string): Promise<DeployLock[]>;
  /** Sets (or replaces) the lock on a service. */
  lock(lock: DeployLock): Promise<void>;
  /** Removes the lock; returns the lock that was removed, or null when there was none. */
  unlock(environment: string, service: string): Promise<DeployLock | null>;
}
