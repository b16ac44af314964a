import type { Catalog } from '../domain/catalog.js';
import { mayApprove, mayConfirm } from '../domain/policy.js';
import { AWAITING_STATES, type RollbackState } from '../domain/rollback-state.js';
import type { Clock } from '../ports/clock.js';
import type { RollbackRecord, RollbackStore } from '../ports/store.js';
import type { AuditTrail } from './audit-trail.js';
import type { RollbackEventBus } from './rollback-events.js';
import type { RollbackRunner } from './rollback-runner.js';

/** The three answers a prompt's buttons give. */
export type PromptAnswer = 'confirm' | 'cancel' | 'approve';

/** What became of a click. */
export type AnswerOutcome =
  | { kind: 'refused'; message: string; rollback: RollbackRecord | null }
  | { kind: 'expired'; rollback: RollbackRecord }
  | { kind: 'cancelled'; rollback: RollbackRecord }
  | { kind: 'awaiting-approval'; rollback: RollbackRecord }
  | { kind: 'started'; rollback: RollbackRecord };

/** Applies button clicks to rollbacks, exactly once however many clicks and retries arrive. */
export class PromptAnswerer {
  constructor(
    private readonly deps: {
      catalog: Catalog;
      store: RollbackStore;
      runner: RollbackRunner;
      audit: AuditTrail;
      events: RollbackEventBus;
      clock: Clock;
    },
  ) {}

  /** Handles one click by `user` on a prompt for `rollbackId`. */
  async answer(rollbackId: string, answer: PromptAnswer, user: string): Promise<AnswerOutcome> {
    const { store, audit, clock } = this.deps;
    const rollback = await store.getRollback(rollbackId);
    if (!rollback) {
      await audit.record(user, `prompt.${answer}`, 'refused', { rollbackId: rollbackId.slice(0, 80), detail: { why: 'unknown rollback' } });
      return { kind: 'refused', message: 'This button does not belong to any rollback I know of.', rollback: null };
    }
    const facts = { environment: rollback.environment, rollbackId };
    const environment = this.deps.catalog.environments[rollback.environment];
    const refuse = async (message: string): Promise<AnswerOutcome> => {
      await audit.record(user, `prompt.${answer}`, 'refused', { ...facts, detail: { why: message } });
      return { kind: 'refused', message, rollback };
    };
    if (!environment) return refuse(`Environment ${rollback.environment} is no longer configured.`);

    const expected: RollbackState = answer === 'approve' ? 'awaiting_approval' : answer === 'confirm' ? 'awaiting_confirmation' : rollback.state;
    if (!AWAITING_STATES.includes(rollback.state) || rollback.state !== expected) return refuse(alreadyAnswered(rollback));

    const now = new Date(clock.now());
    if (rollback.expiresAt && rollback.expiresAt.getTime() <= now.getTime()) {
      const outcome = await this.expire(rollback, now);
      return outcome ?? refuse(alreadyAnswered((await store.getRollback(rollbackId)) ?? rollback));
    }

    const permission = answer === 'approve' ? mayApprove(environment, rollback.requestedBy, user) : mayConfirm(rollback.requestedBy, user);
    if (!permission.allowed) return refuse(permission.reason);

    const promptKind = rollback.state === 'awaiting_approval' ? 'approve' : 'confirm';
    if (answer === 'cancel') {
      if (!(await store.transition(rollbackId, [rollback.state], 'cancelled', { finishedAt: now, expiresAt: null }, now))) {
        return refuse(alreadyAnswered((await store.getRollback(rollbackId)) ?? rollback));
      }
      await store.answerPrompt(rollbackId, promptKind, 'cancelled', user, now);
      await audit.record(user, 'rollback.cancelled', 'ok', facts);
      return { kind: 'cancelled', rollback: (await store.getRollback(rollbackId))! };
    }

    const needsApproval = answer === 'confirm' && rollback.meta['needsSecondApproval'] === true;
    const expiryMs = environment.tunables.promptExpiryMinutes * 60_000;
    const moved = needsApproval
      ? await store.transition(rollbackId, ['awaiting_confirmation'], 'awaiting_approval', { confirmedBy: user, expiresAt: new Date(now.getTime() + expiryMs) }, now)
      : await store.transition(
          rollbackId,
          [rollback.state],
          'running',
          { ...(answer === 'approve' ? { approvedBy: user } : { confirmedBy: user }), expiresAt: null, startedAt: now },
          now,
        );
    if (!moved) return refuse(alreadyAnswered((await store.getRollback(rollbackId)) ?? rollback));
    await store.answerPrompt(rollbackId, promptKind, answer === 'approve' ? 'approved' : 'confirmed', user, now);
    await audit.record(user, answer === 'approve' ? 'rollback.approved' : 'rollback.confirmed', 'ok', facts);
    const updated = (await store.getRollback(rollbackId))!;
    if (needsApproval) return { kind: 'awaiting-approval', rollback: updated };
    this.deps.runner.start(rollbackId);
    return { kind: 'started', rollback: updated };
  }

  /** Expires every prompt whose time is up, so their messages can say so and their locks free. */
  async expireDue(): Promise<RollbackRecord[]> {
    const now = new Date(this.deps.clock.now());
    const waiting = await this.deps.store.listRollbacksInState(AWAITING_STATES);
    const expired: RollbackRecord[] = [];
    for (const rollback of waiting) {
      if (rollback.expiresAt && rollback.expiresAt.getTime() <= now.getTime()) {
        const outcome = await this.expire(rollback, now);
        if (outcome) expired.push(outcome.rollback);
      }
    }
    return expired;
  }

  private async expire(rollback: RollbackRecord, now: Date): Promise<{ kind: 'expired'; rollback: RollbackRecord } | null> {
    const { store, audit, events } = this.deps;
    if (!(await store.transition(rollback.id, [rollback.state], 'expired', { finishedAt: now, expiresAt: null }, now))) return null;
    await store.answerPrompt(rollback.id, rollback.state === 'awaiting_approval' ? 'approve' : 'confirm', 'expired', 'system', now);
    await audit.record('system', 'rollback.expired', 'info', { environment: rollback.environment, rollbackId: rollback.id });
    const expired = (await store.getRollback(rollback.id))!;
    events.emit({ type: 'prompt-expired', rollback: expired });
    return { kind: 'expired', rollback: expired };
  }
}

function alreadyAnswered(rollback: RollbackRecord): string {
  switch (rollback.state) {
    case 'awaiting_confirmation':
      return `This rollback is waiting for <@${rollback.requestedBy}> to confirm it.`;
    case 'awaiting_approval':
      return `<@${rollback.confirmedBy ?? rollback.requestedBy}> already confirmed it; it now needs a second person's approval.`;
    case 'cancelled':
      return 'This rollback was cancelled; nothing was changed.';
    case 'expired':
      return 'This prompt expired; nothing was changed. Run the command again to get a fresh plan.';
    default: {
      const by = rollback.approvedBy
        ? `<@${rollback.confirmedBy ?? rollback.requestedBy}> confirmed and <@${rollback.approvedBy}> approved it`
        : rollback.confirmedBy
          ? `<@${rollback.confirmedBy}> already confirmed it`
          : 'it started without a prompt';
      return `Already answered: ${by}; the rollback is ${rollback.state.replace('_', ' ')}.`;
    }
  }
}
