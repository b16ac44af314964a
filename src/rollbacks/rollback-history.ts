import type { Catalog } from '../domain/catalog.js';
import type { RollbackState, ServiceRollbackState } from '../domain/rollback-state.js';
import type { DeployLock, DeployLocksPort } from '../ports/deploy-locks.js';
import type { RollbackRecord, RollbackStore } from '../ports/store.js';

/** One service of a past rollback. */
export interface PastServiceRollback {
  service: string;
  /** Task definition ARNs; `to` is empty when a revision was to be registered and never was. */
  from: string;
  to: string;
  state: ServiceRollbackState;
  detail: string | null;
}

/** One rollback as `/rollback history` shows it. */
export interface PastRollback {
  id: string;
  requestedBy: string;
  confirmedBy: string | null;
  approvedBy: string | null;
  reason: string;
  state: RollbackState;
  /** Whether the health verification passed; null when there was none. */
  verified: boolean | null;
  requestedAt: Date;
  /** From start to end; null while it runs or when it never started. */
  durationMs: number | null;
  services: PastServiceRollback[];
  /** The incident thread, when the rollback was announced. */
  threadLink: string | null;
}

/** `/rollback history <env> [service]`. */
export interface RollbackHistoryPage {
  environment: string;
  service: string | null;
  rollbacks: PastRollback[];
  /** Deploy freezes in force now, of the service or of the whole environment. */
  locks: DeployLock[];
}

/** How many rollbacks a history shows unless asked for another number. */
export const DEFAULT_HISTORY_LIMIT = 10;

/** Answers "who did what, and are deploys frozen?" from the store's rollback records. */
export class RollbackHistory {
  constructor(
    private readonly deps: {
      catalog: Catalog;
      store: Pick<RollbackStore, 'listRecentRollbacks' | 'getServices'>;
      locks: DeployLocksPort;
    },
  ) {}

  /** The latest rollbacks of an environment, or of one of its services, newest first. */
  async list(environment: string, service: string | null, limit = DEFAULT_HISTORY_LIMIT): Promise<RollbackHistoryPage> {
    const { store, locks } = this.deps;
    const [records, frozen] = await Promise.all([
      store.listRecentRollbacks({ environment, ...(service ? { service } : {}), limit }),
      locks.list(environment),
    ]);
    const rollbacks = await Promise.all(records.map(async (r) => past(r, await store.getServices(r.id), service)));
    return { environment, service, rollbacks, locks: frozen.filter((l) => service === null || l.service === service) };
  }
}

function past(record: RollbackRecord, services: Awaited<ReturnType<RollbackStore['getServices']>>, only: string | null): PastRollback {
  // Written by the runner (verification) and the incident announcer (announcement); read defensively, as old rows may lack them.
  const verified = nested(record.meta, 'verification', 'verified');
  const threadLink = nested(record.meta, 'announcement', 'threadLink');
  return {
    id: record.id,
    requestedBy: record.requestedBy,
    confirmedBy: record.confirmedBy,
    approvedBy: record.approvedBy,
    reason: record.reason,
    state: record.state,
    requestedAt: record.createdAt,
    durationMs: record.startedAt && record.finishedAt ? record.finishedAt.getTime() - record.startedAt.getTime() : null,
    services: services
      .filter((s) => only === null || s.service === only)
      .map((s) => ({ service: s.service, from: s.fromTaskDefinition, to: s.toTaskDefinition, state: s.state, detail: s.detail })),
    verified: typeof verified === 'boolean' ? verified : null,
    threadLink: typeof threadLink === 'string' ? threadLink : null,
  };
}

function nested(meta: Record<string, unknown>, key: string, field: string): unknown {
  const value = meta[key];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
}
