import type { RollbackPlan } from '../domain/plan.js';
import type { RollbackState, ServiceRollbackState } from '../domain/rollback-state.js';

/** A rollback as stored: the request, the plan, who did what, and where it stands. */
export interface RollbackRecord {
  id: string;
  environment: string;
  state: RollbackState;
  requestedBy: string;
  confirmedBy: string | null;
  approvedBy: string | null;
  reason: string;
  dryRun: boolean;
  /** Slack channel the request came from (or `cli` for the command line). */
  channelId: string;
  plan: RollbackPlan;
  /** When a prompt for this rollback stops being answerable; null when no prompt is pending. */
  expiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Free-form state owned by announcement and paging adapters (thread ts, incident id…). */
  meta: Record<string, unknown>;
}

/** One service's progress within a rollback. */
export interface ServiceRollbackRecord {
  rollbackId: string;
  /** Our config's short name. */
  service: string;
  state: ServiceRollbackState;
  fromTaskDefinition: string;
  toTaskDefinition: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Why it failed or timed out, in ECS's words where ECS gave them. */
  detail: string | null;
}

/** A message with buttons that we may need to update or refuse later. */
export interface PromptRecord {
  rollbackId: string;
  kind: 'confirm' | 'approve';
  channelId: string;
  messageTs: string | null;
  responseUrl: string | null;
  createdAt: Date;
  expiresAt: Date;
  answer: 'confirmed' | 'cancelled' | 'approved' | 'expired' | null;
  answeredBy: string | null;
  answeredAt: Date | null;
}

/** One line of the append-only audit log. */
export interface AuditEntry {
  at: Date;
  /** Slack user id, `cli:<name>`, `alarm:<name>` or `system`. */
  actor: string;
  /** What was attempted or done, e.g. `rollback.requested`, `ecs.update-service.started`. */
  action: string;
  environment: string | null;
  service: string | null;
  rollbackId: string | null;
  fromRevision: string | null;
  toRevision: string | null;
  /** `attempt` before a mutating call, then `ok` or `error`; `info` for facts. */
  outcome: 'attempt' | 'ok' | 'error' | 'refused' | 'info';
  detail: Record<string, unknown> | null;
}

/** A service held by a rollback that is not finished. */
export interface ServiceLockHolder {
  environment: string;
  service: string;
  rollbackId: string;
  requestedBy: string;
  since: Date;
}

/** The fields a state transition may set alongside the new state. */
export interface RollbackPatch {
  confirmedBy?: string;
  approvedBy?: string;
  expiresAt?: Date | null;
  startedAt?: Date;
  finishedAt?: Date;
  meta?: Record<string, unknown>;
}

/** Persistence for rollbacks, prompts, service locks and the audit log (SQLite or PostgreSQL). */
export interface RollbackStore {
  /**
   * Stores a new rollback with its services and takes a lock on each service, all or nothing.
   * A lock held by a finished rollback, or by one whose prompt expired before `now`, is taken over.
   */
  createRollback(
    rollback: Omit<RollbackRecord, 'updatedAt' | 'meta'> & { meta?: Record<string, unknown> },
    services: Omit<ServiceRollbackRecord, 'rollbackId'>[],
    now: Date,
  ): Promise<{ ok: true } | { ok: false; heldBy: ServiceLockHolder[] }>;

  getRollback(id: string): Promise<RollbackRecord | null>;
  getServices(rollbackId: string): Promise<ServiceRollbackRecord[]>;

  /**
   * Moves a rollback to `to` only if it is in one of `from` (compare-and-set); false when it was not.
   * Reaching a terminal state releases its service locks in the same transaction.
   */
  transition(id: string, from: readonly RollbackState[], to: RollbackState, patch: RollbackPatch, now: Date): Promise<boolean>;

  /** Merges `meta` into the rollback's meta without changing its state. */
  mergeMeta(id: string, meta: Record<string, unknown>, now: Date): Promise<void>;

  /** Updates one service's progress. */
  updateService(
    rollbackId: string,
    service: string,
    patch: Partial<Pick<ServiceRollbackRecord, 'state' | 'startedAt' | 'finishedAt' | 'detail' | 'toTaskDefinition'>>,
  ): Promise<void>;

  /** Rollbacks in any of the given states, oldest first. */
  listRollbacksInState(states: readonly RollbackState[]): Promise<RollbackRecord[]>;

  /** Newest first. */
  listRecentRollbacks(filter: { environment?: string; service?: string; limit: number }): Promise<RollbackRecord[]>;

  /** Services currently locked by unfinished rollbacks in an environment. */
  listServiceLocks(environment: string): Promise<ServiceLockHolder[]>;

  savePrompt(prompt: PromptRecord): Promise<void>;
  getPrompt(rollbackId: string, kind: PromptRecord['kind']): Promise<PromptRecord | null>;
  /** Records an answer only if the prompt has none yet; returns the prompt as it now stands and whether this call answered it. */
  answerPrompt(
    rollbackId: string,
    kind: PromptRecord['kind'],
    answer: NonNullable<PromptRecord['answer']>,
    by: string,
    at: Date,
  ): Promise<{ answered: boolean; prompt: PromptRecord | null }>;
  /** Records where a prompt's message landed (ts, response_url). */
  updatePromptMessage(rollbackId: string, kind: PromptRecord['kind'], messageTs: string | null, responseUrl: string | null): Promise<void>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(filter: { rollbackId?: string; environment?: string; service?: string; limit: number }): Promise<AuditEntry[]>;

  /** Cheap round trip, for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
