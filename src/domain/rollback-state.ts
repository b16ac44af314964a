/** Lifecycle of a rollback as a whole. */
export type RollbackState =
  | 'awaiting_confirmation'
  | 'awaiting_approval'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'expired';

/** Lifecycle of one service within a rollback. */
export type ServiceRollbackState =
  | 'pending'
  /** The mutating ECS call is about to be made (or was made and its answer not yet recorded). */
  | 'acting'
  | 'watching'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  /** Already on the target revision: nothing was done. */
  | 'unchanged';

export const TERMINAL_ROLLBACK_STATES: readonly RollbackState[] = ['succeeded', 'failed', 'cancelled', 'expired'];
export const AWAITING_STATES: readonly RollbackState[] = ['awaiting_confirmation', 'awaiting_approval'];
export const TERMINAL_SERVICE_STATES: readonly ServiceRollbackState[] = ['succeeded', 'failed', 'timed_out', 'unchanged'];

const transitions: Record<RollbackState, readonly RollbackState[]> = {
  awaiting_confirmation: ['awaiting_approval', 'running', 'cancelled', 'expired'],
  awaiting_approval: ['running', 'cancelled', 'expired'],
  running: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
  cancelled: [],
  expired: [],
};

/** Whether the state machine allows `from` → `to`. */
export function canTransition(from: RollbackState, to: RollbackState): boolean {
  return transitions[from].includes(to);
}

/** The states from which `to` may be reached. */
export function statesLeadingTo(to: RollbackState): RollbackState[] {
  return (Object.keys(transitions) as RollbackState[]).filter((from) => transitions[from].includes(to));
}

/** Whether a rollback in this state will never change again. */
export function isTerminal(state: RollbackState): boolean {
  return TERMINAL_ROLLBACK_STATES.includes(state);
}

/** A rollback's outcome from its services' outcomes: it fails if any service did not succeed. */
export function overallOutcome(services: ServiceRollbackState[]): 'succeeded' | 'failed' {
  return services.every((s) => s === 'succeeded' || s === 'unchanged') ? 'succeeded' : 'failed';
}
