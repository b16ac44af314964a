import type { ServiceRollbackState } from '../domain/rollback-state.js';
import type { RollbackRecord, ServiceRollbackRecord } from '../ports/store.js';
import type { ServiceHealth, Verdict } from './health-monitor.js';

/** What ECS showed for one service at one poll, in neutral terms. */
export interface ServiceProgress {
  service: string;
  /** `family:revision` of the deployment being watched. */
  taskDefinition: string;
  rolloutState: string | null;
  runningCount: number;
  desiredCount: number;
  pendingCount: number;
  failedTasks: number;
  deployments: number;
  /** Something worth saying beside the numbers (a degradation, ECS's newest event). */
  note?: string;
}

/** One service as the rollback sees it now: where ECS is, and what its health signals say. */
export interface ServiceStatus {
  service: string;
  state: ServiceRollbackState;
  ecs: ServiceProgress | null;
  health: ServiceHealth | null;
}

/** Everything the engine tells the rest of the app; announcements, replies and metrics subscribe. */
export type RollbackEvent =
  | { type: 'started'; rollback: RollbackRecord; services: ServiceRollbackRecord[]; resumed: boolean }
  | { type: 'service-acted'; rollback: RollbackRecord; service: string; action: string }
  /** Something changed meaningfully: a rollout state or count, a health answer, an alarm state, a degradation. */
  | {
      type: 'progress';
      rollback: RollbackRecord;
      phase: 'rolling-back' | 'verifying';
      services: ServiceStatus[];
      notes: string[];
      elapsedMs: number;
      verify: { elapsedMs: number; windowMs: number } | null;
    }
  | { type: 'service-done'; rollback: RollbackRecord; service: ServiceRollbackRecord; state: ServiceRollbackState; durationMs: number }
  | { type: 'verifying'; rollback: RollbackRecord; windowMs: number }
  | {
      type: 'finished';
      rollback: RollbackRecord;
      services: ServiceRollbackRecord[];
      outcome: 'succeeded' | 'failed';
      /** Null when the rollback failed before verification, or nothing was changed. */
      verification: Verdict | null;
      durationMs: number;
    }
  | { type: 'prompt-expired'; rollback: RollbackRecord }
  /** A database rollback's step or RDS status changed, or a few minutes passed without a change. */
  | { type: 'database-progress'; rollback: RollbackRecord; step: DatabaseRestoreStep; status: string; percent: number | null; elapsedMs: number; note: string | null };

/** What a database rollback is waiting for. */
export type DatabaseRestoreStep = 'waiting-for-source' | 'snapshotting' | 'restoring';

/** A subscriber; it may be slow or fail without holding the engine up. */
export type RollbackEventHandler = (event: RollbackEvent) => void | Promise<void>;

/** Fans events out to subscribers without waiting for them; a failing subscriber is reported, never rethrown. */
export class RollbackEventBus {
  private readonly handlers = new Set<RollbackEventHandler>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly onHandlerError: (error: unknown, event: RollbackEvent) => void) {}

  /** Adds a subscriber; returns a function that removes it. */
  subscribe(handler: RollbackEventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Delivers `event` to every subscriber and returns at once. */
  emit(event: RollbackEvent): void {
    for (const handler of this.handlers) {
      const delivery = Promise.resolve()
        .then(() => handler(event))
        .catch((error: unknown) => this.onHandlerError(error, event))
        .finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  }

  /** Resolves when every delivery so far has finished (graceful stop, tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
