import { describe, expect, it } from 'vitest';
import { chooseFromFamily, chooseFromHistory, sameTaskDefinition } from '../../src/domain/last-good.js';
import { canTransition, overallOutcome } from '../../src/domain/rollback-state.js';

const td = (rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/api:${rev}`;
const entry = (arn: string, status: string, source: number[], target: number) => ({
  serviceDeploymentArn: arn,
  status,
  sourceTaskDefinitionArns: source.map(td),
  targetTaskDefinitionArn: td(target),
});

describe('chooseFromHistory', () => {
  it('stops a deployment still in progress and goes back to its source', () => {
    const history = [entry('d3', 'IN_PROGRESS', [13], 14), entry('d2', 'SUCCESSFUL', [12], 13)];
    expect(chooseFromHistory(history, td(14))).toEqual({ kind: 'stop-in-progress', serviceDeploymentArn: 'd3', target: td(13) });
  });

  it('otherwise takes the target of the last successful deployment before the running one', () => {
    const history = [entry('d3', 'SUCCESSFUL', [13], 14), entry('d2', 'FAILED', [12], 13), entry('d1', 'SUCCESSFUL', [11], 12)];
    expect(chooseFromHistory(history, td(14))).toEqual({ kind: 'previous-successful', target: td(12) });
  });

  it('never goes back to a newer revision, such as the one a previous rollback left', () => {
    const history = [entry('d4', 'SUCCESSFUL', [14], 13), entry('d3', 'SUCCESSFUL', [13], 14), entry('d2', 'SUCCESSFUL', [12], 13), entry('d1', 'SUCCESSFUL', [11], 12)];
    expect(chooseFromHistory(history, td(13))).toEqual({ kind: 'previous-successful', target: td(12) });
  });

  it('does not stop an in-progress deployment that is itself going back to an older revision', () => {
    const history = [entry('d4', 'IN_PROGRESS', [14], 12), entry('d3', 'SUCCESSFUL', [13], 14), entry('d2', 'SUCCESSFUL', [12], 13), entry('d1', 'SUCCESSFUL', [11], 12)];
    expect(chooseFromHistory(history, td(12))).toEqual({ kind: 'unknown' });
  });

  it('reports ECS rolling back by itself, and knows nothing from an empty history', () => {
    expect(chooseFromHistory([entry('d3', 'ROLLBACK_IN_PROGRESS', [13], 14)], td(14))).toMatchObject({ kind: 'ecs-already-rolling-back' });
    expect(chooseFromHistory([], td(14))).toEqual({ kind: 'unknown' });
  });
});

describe('chooseFromFamily', () => {
  it('takes the newest older revision, never a newer one that was never deployed', () => {
    expect(chooseFromFamily([td(16), td(15), td(13), td(12)], td(14))).toBe(td(13));
    expect(chooseFromFamily([td(15)], td(14))).toBeNull();
  });
});

describe('task definitions and states', () => {
  it('matches an ARN with family:revision', () => {
    expect(sameTaskDefinition(td(13), 'api:13')).toBe(true);
    expect(sameTaskDefinition(td(13), 'api:14')).toBe(false);
  });

  it('allows only the transitions of the state machine', () => {
    expect(canTransition('awaiting_confirmation', 'running')).toBe(true);
    expect(canTransition('running', 'cancelled')).toBe(false);
    expect(canTransition('succeeded', 'running')).toBe(false);
    expect(overallOutcome(['succeeded', 'unchanged'])).toBe('succeeded');
    expect(overallOutcome(['succeeded', 'timed_out'])).toBe('failed');
  });
});
