/** How a deployment of a task definition behaves once the fake ECS starts it. */
export interface RolloutBehaviour {
  /** Seconds until every task of the deployment runs, at which point its rollout is COMPLETED. */
  stabilizeSeconds: number;
  /** No task ever starts: `failedTasks` climbs until the circuit breaker (if enabled) trips. */
  failTasks: boolean;
  /** With `failTasks`, seconds between two failed tasks. */
  secondsPerTaskFailure: number;
  /** One task never becomes healthy, so the rollout stays IN_PROGRESS for good. */
  neverStabilize: boolean;
}

/** A deployment that rolls out in a minute, as a healthy small service does. */
export const DEFAULT_BEHAVIOUR: RolloutBehaviour = {
  stabilizeSeconds: 60,
  failTasks: false,
  secondsPerTaskFailure: 15,
  neverStabilize: false,
};

/** Task counts of one deployment at some moment. */
export interface TaskCounts {
  running: number;
  pending: number;
  failedTasks: number;
  /** When any of the counts last changed (the deployment's `updatedAt`). */
  changedAt: number;
}

/** Where a rollout ends, if it ever does. */
export interface RolloutOutcome {
  kind: 'complete' | 'fail';
  at: number;
}

/** ECS's circuit breaker threshold: half the desired count, at least 3 and at most 200. */
export function breakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount / 2)));
}

/** Counts of a deployment that is still rolling out, at `at`. */
export function rolloutCounts(startedAt: number, desired: number, behaviour: RolloutBehaviour, at: number): TaskCounts {
  const elapsed = Math.max(0, at - startedAt) / 1000;
  if (behaviour.failTasks) {
    const failedTasks = Math.floor(elapsed / behaviour.secondsPerTaskFailure);
    return { running: 0, pending: desired, failedTasks, changedAt: startedAt + failedTasks * behaviour.secondsPerTaskFailure * 1000 };
  }
  const ceiling = behaviour.neverStabilize ? Math.max(0, desired - 1) : desired;
  const perTask = desired > 0 ? behaviour.stabilizeSeconds / desired : 0;
  const running = perTask > 0 ? Math.min(ceiling, Math.floor(elapsed / perTask)) : ceiling;
  return { running, pending: desired - running, failedTasks: 0, changedAt: startedAt + running * perTask * 1000 };
}

/** When a rollout started at `startedAt` completes or trips the circuit breaker; null when it never ends. */
export function rolloutOutcome(
  startedAt: number,
  desired: number,
  behaviour: RolloutBehaviour,
  breakerEnabled: boolean,
): RolloutOutcome | null {
  if (behaviour.failTasks) {
    if (!breakerEnabled) return null;
    return { kind: 'fail', at: startedAt + breakerThreshold(desired) * behaviour.secondsPerTaskFailure * 1000 };
  }
  if (behaviour.neverStabilize) return null;
  return { kind: 'complete', at: startedAt + behaviour.stabilizeSeconds * 1000 };
}
