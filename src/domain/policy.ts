import { alarmOfActor, alarmTargetsIn, autoRollbackFor } from './alarm-targets.js';
import type { EnvironmentSpec } from './catalog.js';

/** What must happen before a rollback may run, or why it may not be requested at all. */
export type RequestDecision =
  | { allowed: false; reason: string }
  | { allowed: true; needsConfirmation: boolean; needsSecondApproval: boolean };

/** What kind of change is asked for; databases are always the riskiest. */
export interface RiskFacts {
  allServices: boolean;
  database: boolean;
  dryRun: boolean;
}

/** Decides who may ask for a rollback and which safeguards it needs (CONTRACT.md: protected environments). */
export function decideRequest(environment: EnvironmentSpec, requester: string, facts: RiskFacts): RequestDecision {
  const alarm = alarmOfActor(requester);
  if (alarm !== null) return decideAlarmRequest(environment, alarm, facts);
  if (environment.requesters && !environment.requesters.includes(requester)) {
    return {
      allowed: false,
      reason: `Only ${listUsers(environment.requesters)} may start rollbacks in ${environment.name}.`,
    };
  }
  if (facts.dryRun) return { allowed: true, needsConfirmation: false, needsSecondApproval: false };
  const needsSecondApproval = facts.database || (environment.protected && facts.allServices);
  return { allowed: true, needsConfirmation: environment.protected || needsSecondApproval, needsSecondApproval };
}

/**
 * An alarm (`alarm:<name>`) is not a person: `requesters` do not apply, since the config opted it in
 * through `autoRollback`, and no prompt is asked, since nobody could answer it. It may roll back one
 * service where some service's autoRollback lets it without confirmation; which service is the
 * watcher's decision (decideForService).
 */
function decideAlarmRequest(environment: EnvironmentSpec, alarm: string, facts: RiskFacts): RequestDecision {
  if (facts.allServices || facts.database) {
    return { allowed: false, reason: `An alarm may roll back single services only, never ${facts.database ? 'a database' : 'all'}.` };
  }
  const optedIn = alarmTargetsIn(environment, alarm).some((target) => {
    const service = target.service === null ? undefined : environment.services[target.service];
    const auto = service ? autoRollbackFor(service, alarm) : null;
    return auto !== null && !(environment.protected && auto.requireConfirmation);
  });
  if (!optedIn) return { allowed: false, reason: `Alarm ${alarm} may not roll back services in ${environment.name} by itself (see autoRollback).` };
  return { allowed: true, needsConfirmation: false, needsSecondApproval: false };
}

/** Whether `user` may confirm or cancel a rollback that `requester` asked for: only the requester may. */
export function mayConfirm(requester: string, user: string): { allowed: true } | { allowed: false; reason: string } {
  return user === requester
    ? { allowed: true }
    : { allowed: false, reason: `Only <@${requester}>, who asked for this rollback, can confirm or cancel it.` };
}

/** Whether `user` may give the second approval for a rollback that `requester` asked for. */
export function mayApprove(
  environment: EnvironmentSpec,
  requester: string,
  user: string,
): { allowed: true } | { allowed: false; reason: string } {
  if (user === requester) {
    return { allowed: false, reason: 'A second person must approve this rollback: you cannot approve your own request.' };
  }
  if (environment.approvers) {
    return environment.approvers.includes(user)
      ? { allowed: true }
      : { allowed: false, reason: `Only ${listUsers(environment.approvers)} may approve rollbacks in ${environment.name}.` };
  }
  if (environment.requesters && !environment.requesters.includes(user)) {
    return { allowed: false, reason: `Only ${listUsers(environment.requesters)} may approve rollbacks in ${environment.name}.` };
  }
  return { allowed: true };
}

function listUsers(users: string[]): string {
  return users.map((u) => `<@${u}>`).join(', ');
}
