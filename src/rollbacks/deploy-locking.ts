import { findEnvironment, type Catalog, type EnvironmentSpec } from '../domain/catalog.js';
import type { Clock } from '../ports/clock.js';
import type { DeployLock, DeployLocksPort } from '../ports/deploy-locks.js';
import type { AuditTrail } from './audit-trail.js';
import type { RollbackEvent } from './rollback-events.js';

/** What became of `/rollback lock`. */
export type LockOutcome = { kind: 'refused'; message: string } | { kind: 'locked'; lock: DeployLock; replaced: DeployLock | null };

/** What became of `/rollback unlock`. */
export type UnlockOutcome = { kind: 'refused'; message: string } | { kind: 'unlocked'; lock: DeployLock } | { kind: 'not-locked' };

/** What a pipeline asking "may I deploy?" learns. */
export type LockCheck = { kind: 'unknown'; message: string } | { kind: 'checked'; lock: DeployLock | null };

/**
 * Deploy freezes (Shopify Shipit's rule): a completed rollback freezes each service it rolled back
 * until someone lifts the freeze; people can also freeze by hand. A freeze is for deploy pipelines to
 * honour; it never blocks a further rollback. Every change is audited before and after.
 */
export class DeployLocking {
  constructor(
    private readonly deps: {
      catalog: Catalog;
      locks: DeployLocksPort;
      audit: AuditTrail;
      clock: Clock;
    },
  ) {}

  /** Freezes deploys of one service by hand, replacing any freeze already there. */
  async lock(environmentName: string, serviceName: string, actor: string, reason: string): Promise<LockOutcome> {
    const found = this.find(environmentName, serviceName);
    if (!found.ok) return { kind: 'refused', message: found.message };
    const { environment, service } = found;
    const facts = { environment: environment.name, service, detail: { reason } };
    const denied = mayChangeLocks(environment, actor);
    if (denied) {
      await this.deps.audit.record(actor, 'deploy-lock.lock', 'refused', { ...facts, detail: { ...facts.detail, why: denied } });
      return { kind: 'refused', message: denied };
    }
    const replaced = await this.deps.locks.get(environment.name, service);
    const lock: DeployLock = { environment: environment.name, service, lockedBy: actor, reason, since: new Date(this.deps.clock.now()), rollbackId: null };
    await this.deps.audit.around(actor, 'deploy-lock.lock', facts, () => this.deps.locks.lock(lock));
    return { kind: 'locked', lock, replaced };
  }

  /** Lifts the freeze of one service; the audit line keeps who had set it and why. */
  async unlock(environmentName: string, serviceName: string, actor: string): Promise<UnlockOutcome> {
    const found = this.find(environmentName, serviceName);
    if (!found.ok) return { kind: 'refused', message: found.message };
    const { environment, service } = found;
    const { audit, locks } = this.deps;
    const facts = { environment: environment.name, service };
    const denied = mayChangeLocks(environment, actor);
    if (denied) {
      await audit.record(actor, 'deploy-lock.unlock', 'refused', { ...facts, detail: { why: denied } });
      return { kind: 'refused', message: denied };
    }
    await audit.record(actor, 'deploy-lock.unlock', 'attempt', facts);
    let removed: DeployLock | null;
    try {
      removed = await locks.unlock(environment.name, service);
    } catch (err) {
      await audit.record(actor, 'deploy-lock.unlock', 'error', { ...facts, detail: { error: err instanceof Error ? err.message : String(err) } });
      throw err;
    }
    const detail = removed
      ? { removed: { lockedBy: removed.lockedBy, reason: removed.reason, since: removed.since.toISOString(), rollbackId: removed.rollbackId } }
      : { wasLocked: false };
    await audit.record(actor, 'deploy-lock.unlock', 'ok', { ...facts, detail });
    return removed ? { kind: 'unlocked', lock: removed } : { kind: 'not-locked' };
  }

  /** The freeze on one service, or null; `unknown` when the environment or service is not configured. */
  async check(environmentName: string, serviceName: string): Promise<LockCheck> {
    const found = this.find(environmentName, serviceName);
    if (!found.ok) return { kind: 'unknown', message: found.message };
    return { kind: 'checked', lock: await this.deps.locks.get(found.environment.name, found.service) };
  }

  /** Every freeze in an environment, by service name. */
  list(environmentName: string): Promise<DeployLock[]> {
    return this.deps.locks.list(environmentName);
  }

  /** Event subscriber: a rollback that completed freezes each service it rolled back, in the requester's name and with its reason. */
  readonly freezeAfterRollback = async (event: RollbackEvent): Promise<void> => {
    // A database restore leaves the source untouched and the switch-over to people, so there is no deploy to freeze.
    if (event.type !== 'finished' || event.outcome !== 'succeeded' || event.rollback.plan.database) return;
    const { rollback } = event;
    const since = new Date(this.deps.clock.now());
    for (const service of event.services.filter((s) => s.state === 'succeeded')) {
      const lock: DeployLock = {
        environment: rollback.environment,
        service: service.service,
        lockedBy: rollback.requestedBy,
        reason: rollback.reason,
        since,
        rollbackId: rollback.id,
      };
      // The rollback is named in the detail, not the rollbackId column: the rollback's own trail ends with its outcome.
      const facts = { environment: rollback.environment, service: service.service, detail: { lockedBy: lock.lockedBy, reason: lock.reason, rollbackId: rollback.id } };
      await this.deps.audit.around('system', 'deploy-lock.lock', facts, () => this.deps.locks.lock(lock));
    }
  };

  /** The configured environment and service these names stand for (ignoring case); callers may pass raw text (an HTTP path). */
  private find(environmentName: string, serviceName: string): { ok: true; environment: EnvironmentSpec; service: string } | { ok: false; message: string } {
    const environment = findEnvironment(this.deps.catalog, environmentName);
    if (!environment) return { ok: false, message: `Unknown environment ${JSON.stringify(environmentName.slice(0, 80))}.` };
    const service = serviceName.toLowerCase();
    if (!Object.hasOwn(environment.services, service)) return { ok: false, message: `Unknown service ${JSON.stringify(serviceName.slice(0, 80))} in ${environment.name}.` };
    return { ok: true, environment, service };
  }
}

/** Freezing and lifting a freeze are as consequential as a rollback, so the environment's requesters list applies to them too. */
function mayChangeLocks(environment: EnvironmentSpec, actor: string): string | null {
  if (!environment.requesters || environment.requesters.includes(actor)) return null;
  return `Only ${environment.requesters.map((u) => `<@${u}>`).join(', ')} may lock or unlock services in ${environment.name}.`;
}
