import type { Clock } from '../ports/clock.js';
import type { AuditEntry, RollbackStore } from '../ports/store.js';

/** The fields an audit line needs beyond who, what and how it went. */
export type AuditFacts = Partial<Pick<AuditEntry, 'environment' | 'service' | 'rollbackId' | 'fromRevision' | 'toRevision' | 'detail'>>;

/** Writes audit lines with the clock's time; every mutating action is recorded before and after it happens. */
export class AuditTrail {
  constructor(
    private readonly store: RollbackStore,
    private readonly clock: Clock,
  ) {}

  /** Appends one line. */
  record(actor: string, action: string, outcome: AuditEntry['outcome'], facts: AuditFacts = {}): Promise<void> {
    return this.store.appendAudit({
      at: new Date(this.clock.now()),
      actor,
      action,
      outcome,
      environment: facts.environment ?? null,
      service: facts.service ?? null,
      rollbackId: facts.rollbackId ?? null,
      fromRevision: facts.fromRevision ?? null,
      toRevision: facts.toRevision ?? null,
      detail: facts.detail ?? null,
    });
  }

  /** Records `attempt`, runs `action`, then records `ok` or `error` (with the error's message) and rethrows. */
  async around<T>(actor: string, action: string, facts: AuditFacts, fn: () => Promise<T>): Promise<T> {
    await this.record(actor, action, 'attempt', facts);
    try {
      const result = await fn();
      await this.record(actor, action, 'ok', facts);
      return result;
    } catch (err) {
      await this.record(actor, action, 'error', { ...facts, detail: { ...facts.detail, error: err instanceof Error ? err.message : String(err) } });
      throw err;
    }
  }
}
