import { randomBytes } from 'node:crypto';
import type { Catalog } from '../domain/catalog.js';
import type { Command } from '../domain/command.js';
import { UserFacingError } from '../domain/errors.js';
import { decideRequest } from '../domain/policy.js';
import { servicesToChange, type RollbackPlan } from '../domain/plan.js';
import { shortName } from '../domain/task-definition.js';
import type { Clock } from '../ports/clock.js';
import type { RollbackRecord, RollbackStore, ServiceLockHolder } from '../ports/store.js';
import type { AuditTrail } from './audit-trail.js';
import type { RollbackPlanner } from './plan-rollback.js';
import type { RollbackRunner } from './rollback-runner.js';

/** Who asked, and from where. */
export interface Requester {
  /** Slack user id, or `cli:<name>`. */
  actor: string;
  channelId: string;
  /** Slack's response_url for this command, a fallback route for replies. */
  responseUrl?: string;
}

/** What became of a rollback request. */
export type RequestOutcome =
  | { kind: 'refused'; message: string }
  | { kind: 'error'; message: string }
  | { kind: 'nothing-to-do'; plan: RollbackPlan }
  | { kind: 'dry-run'; plan: RollbackPlan }
  | { kind: 'locked'; heldBy: ServiceLockHolder[] }
  | { kind: 'awaiting-confirmation'; rollback: RollbackRecord; needsSecondApproval: boolean }
  | { kind: 'started'; rollback: RollbackRecord };

/** Turns an understood `/rollback <env> <service|all>` into a plan, then a prompt or a running rollback. */
export class RollbackRequester {
  constructor(
    private readonly deps: {
      catalog: Catalog;
      planner: RollbackPlanner;
      store: RollbackStore;
      runner: RollbackRunner;
      audit: AuditTrail;
      clock: Clock;
    },
  ) {}

  /** Handles one request; expected failures come back as values, never thrown. */
  async request(command: Extract<Command, { kind: 'rollback' }>, who: Requester): Promise<RequestOutcome> {
    const { catalog, planner, store, audit, clock } = this.deps;
    const environment = catalog.environments[command.environment];
    if (!environment) return { kind: 'error', message: `Unknown environment ${command.environment}.` };
    const facts = { environment: environment.name, detail: { services: command.services, reason: command.reason, dryRun: command.dryRun } };

    const decision = decideRequest(environment, who.actor, { allServices: command.allServices, database: false, dryRun: command.dryRun });
    if (!decision.allowed) {
      await audit.record(who.actor, 'rollback.request', 'refused', { ...facts, detail: { ...facts.detail, why: decision.reason } });
      return { kind: 'refused', message: decision.reason };
    }

    let plan: RollbackPlan;
    try {
      plan = await planner.plan(environment, command.services, command.allServices, command.target);
    } catch (err) {
      if (!(err instanceof UserFacingError)) throw err;
      await audit.record(who.actor, 'rollback.plan', 'error', { ...facts, detail: { ...facts.detail, error: err.message } });
      return { kind: 'error', message: err.message };
    }
    if (command.dryRun) {
      await audit.record(who.actor, 'rollback.dry-run', 'info', { ...facts, detail: { ...facts.detail, plan: summarize(plan) } });
      return { kind: 'dry-run', plan };
    }
    if (servicesToChange(plan).length === 0) {
      await audit.record(who.actor, 'rollback.nothing-to-do', 'info', { ...facts, detail: { ...facts.detail, plan: summarize(plan) } });
      return { kind: 'nothing-to-do', plan };
    }

    const now = new Date(clock.now());
    const needsConfirmation = decision.needsConfirmation;
    const rollback: Omit<RollbackRecord, 'updatedAt' | 'meta'> & { meta: Record<string, unknown> } = {
      id: newRollbackId(now),
      environment: environment.name,
      state: needsConfirmation ? 'awaiting_confirmation' : 'running',
      requestedBy: who.actor,
      confirmedBy: null,
      approvedBy: null,
      reason: command.reason,
      dryRun: false,
      channelId: who.channelId,
      plan,
      expiresAt: needsConfirmation ? new Date(now.getTime() + environment.tunables.promptExpiryMinutes * 60_000) : null,
      createdAt: now,
      startedAt: needsConfirmation ? null : now,
      finishedAt: null,
      meta: { needsSecondApproval: decision.needsSecondApproval, ...(who.responseUrl ? { responseUrl: who.responseUrl } : {}) },
    };
    const created = await store.createRollback(
      rollback,
      plan.services.map((s) => ({
        service: s.service,
        state: s.action.kind === 'none' ? 'unchanged' : 'pending',
        fromTaskDefinition: s.current.arn,
        toTaskDefinition: s.target.arn,
        startedAt: null,
        finishedAt: s.action.kind === 'none' ? now : null,
        detail: null,
      })),
      now,
    );
    if (!created.ok) {
      await audit.record(who.actor, 'rollback.request', 'refused', { ...facts, detail: { ...facts.detail, lockedBy: created.heldBy.map((h) => h.rollbackId) } });
      return { kind: 'locked', heldBy: created.heldBy };
    }
    await audit.record(who.actor, 'rollback.requested', 'ok', { ...facts, rollbackId: rollback.id, detail: { ...facts.detail, plan: summarize(plan) } });
    const stored = (await store.getRollback(rollback.id))!;
    if (needsConfirmation) return { kind: 'awaiting-confirmation', rollback: stored, needsSecondApproval: decision.needsSecondApproval };
    this.deps.runner.start(rollback.id);
    return { kind: 'started', rollback: stored };
  }
}

/** The plan in one line per service, for the audit log. */
export function summarize(plan: RollbackPlan): string[] {
  return plan.services.map((s) => `${s.service}: ${shortName(s.current)} -> ${s.target.arn ? shortName(s.target) : `new revision of ${s.target.family}`} (${s.action.kind})`);
}

/** A sortable id people can read aloud: `rb-<yyyymmddhhmm>-<6 hex>`. */
export function newRollbackId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 12);
  return `rb-${stamp}-${randomBytes(3).toString('hex')}`;
}
