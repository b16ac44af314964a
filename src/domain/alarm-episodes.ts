import type { AutoRollbackSpec } from './catalog.js';

/** An alarm's state as one poll reported it. */
export interface ObservedAlarm {
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /** CloudWatch's StateUpdatedTimestamp. */
  updatedAt: Date;
}

/** What one poll means for an alarm, given the episode the store holds open for it (if any). */
export type AlarmObservation =
  /** It went into ALARM: a new episode, which starts at the transition's timestamp. */
  | { kind: 'started'; startedAt: Date }
  /** Still the open episode (ALARM again, or INSUFFICIENT_DATA, which says nothing about recovery). */
  | { kind: 'continuing' }
  /** Back to OK: the open episode ends. */
  | { kind: 'recovered'; recoveredAt: Date }
  /** Not in ALARM and nothing open. */
  | { kind: 'quiet' };

/**
 * Classifies one poll of an alarm against the store. Only OK ends an episode: INSUFFICIENT_DATA often
 * means the metric stopped (a service that died entirely), which is no recovery. While an episode is
 * open, ALARM with a newer timestamp (CloudWatch updates it when only the reason changes) is the same
 * episode, so neither a reason update nor a restart announces it again.
 */
export function observeAlarm(open: { startedAt: Date } | null, alarm: ObservedAlarm): AlarmObservation {
  if (!open) return alarm.state === 'ALARM' ? { kind: 'started', startedAt: alarm.updatedAt } : { kind: 'quiet' };
  if (alarm.state !== 'OK') return { kind: 'continuing' };
  return { kind: 'recovered', recoveredAt: new Date(Math.max(alarm.updatedAt.getTime(), open.startedAt.getTime())) };
}

/** A service's most recent deployment, as far as ECS tells. */
export interface LatestDeployment {
  /** `family:revision` it replaced, when known. */
  from: string | null;
  /** `family:revision` it deployed, when known. */
  to: string | null;
  startedAt: Date | null;
  /** Null while it is still rolling out. */
  finishedAt: Date | null;
}

/** Why an alarm only offers the button for a service instead of rolling it back. */
export type OfferReason =
  | 'not-opted-in'
  | 'no-deployment'
  | 'outside-window'
  | 'deployed-after-alarm'
  | 'seen-late'
  | 'needs-confirmation';

/** Why an alarm does nothing by itself for a service, whatever its config. */
export type HoldReason = 'already-acted' | 'rollback-running' | 'deploy-locked';

/** What an alarm going into ALARM does for one service it maps to. The announcement offers the button in every case. */
export type ServiceDecision =
  | { kind: 'auto-rollback'; auto: AutoRollbackSpec }
  | { kind: 'offer'; why: OfferReason }
  | { kind: 'hold'; why: HoldReason };

/** Everything the decision for one service depends on. */
export interface ServiceFacts {
  /** The service's auto-rollback config if it lets this alarm roll it back (see autoRollbackFor), else null. */
  auto: AutoRollbackSpec | null;
  protectedEnvironment: boolean;
  episodeStart: Date;
  now: Date;
  deployment: LatestDeployment | null;
  /** A deploy freeze on the service. */
  deployLocked: boolean;
  /** An unfinished rollback holds the service. */
  rollbackRunning: boolean;
  /** This episode already decided for this service (a retried announcement, a second replica). */
  alreadyActed: boolean;
}

/** Decides, for one service, whether an alarm episode rolls it back by itself (see the README's decision table). */
export function decideForService(facts: ServiceFacts): ServiceDecision {
  if (facts.alreadyActed) return { kind: 'hold', why: 'already-acted' };
  if (facts.rollbackRunning) return { kind: 'hold', why: 'rollback-running' };
  if (facts.deployLocked) return { kind: 'hold', why: 'deploy-locked' };
  if (!facts.auto) return { kind: 'offer', why: 'not-opted-in' };
  const window = deploymentWindow(facts.deployment, facts.episodeStart, facts.now, facts.auto.withinMinutesOfDeploy);
  if (window !== 'inside') return { kind: 'offer', why: window };
  if (facts.protectedEnvironment && facts.auto.requireConfirmation) return { kind: 'offer', why: 'needs-confirmation' };
  return { kind: 'auto-rollback', auto: facts.auto };
}

/**
 * Whether the deployment plausibly caused an alarm that fired at `episodeStart`: it finished at most
 * `withinMinutes` before (or is still rolling out), it did not start after the alarm (a fix going
 * out), and the alarm is seen within the same span (a bot that was down must not act on old news).
 */
export function deploymentWindow(
  deployment: LatestDeployment | null,
  episodeStart: Date,
  now: Date,
  withinMinutes: number,
): 'inside' | Exclude<OfferReason, 'not-opted-in' | 'needs-confirmation'> {
  if (!deployment || (!deployment.startedAt && !deployment.finishedAt)) return 'no-deployment';
  const windowMs = withinMinutes * 60_000;
  const start = episodeStart.getTime();
  if (now.getTime() - start > windowMs) return 'seen-late';
  if (deployment.startedAt && deployment.startedAt.getTime() > start) return 'deployed-after-alarm';
  if (deployment.finishedAt && start - deployment.finishedAt.getTime() > windowMs) return 'outside-window';
  return 'inside';
}

/** PagerDuty's dedup key of an episode: `<alarm>:<episode start ISO>`, within the Events API's 255 characters. */
export function episodeIncidentKey(alarmName: string, startedAt: Date): string {
  return `${alarmName.slice(0, 230)}:${startedAt.toISOString()}`;
}
