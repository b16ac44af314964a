import { describe, expect, it } from 'vitest';
import { decideForService, deploymentWindow, episodeIncidentKey, observeAlarm, type ServiceFacts } from '../../src/domain/alarm-episodes.js';

const T0 = Date.UTC(2026, 10, 22, 3, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe('observeAlarm', () => {
  it('starts an episode at the StateUpdatedTimestamp of the move into ALARM', () => {
    expect(observeAlarm(null, { state: 'ALARM', updatedAt: at(2) })).toEqual({ kind: 'started', startedAt: at(2) });
  });

  it('is quiet when nothing is open and the alarm is not in ALARM', () => {
    expect(observeAlarm(null, { state: 'OK', updatedAt: at(2) })).toEqual({ kind: 'quiet' });
    expect(observeAlarm(null, { state: 'INSUFFICIENT_DATA', updatedAt: at(2) })).toEqual({ kind: 'quiet' });
  });

  it('keeps the open episode while in ALARM, even when CloudWatch re-stamps it for a new reason', () => {
    expect(observeAlarm({ startedAt: at(2) }, { state: 'ALARM', updatedAt: at(2) })).toEqual({ kind: 'continuing' });
    expect(observeAlarm({ startedAt: at(2) }, { state: 'ALARM', updatedAt: at(9) })).toEqual({ kind: 'continuing' });
  });

  it('does not call INSUFFICIENT_DATA a recovery', () => {
    expect(observeAlarm({ startedAt: at(2) }, { state: 'INSUFFICIENT_DATA', updatedAt: at(5) })).toEqual({ kind: 'continuing' });
  });

  it('ends the episode at the move back to OK, never before it started', () => {
    expect(observeAlarm({ startedAt: at(2) }, { state: 'OK', updatedAt: at(7) })).toEqual({ kind: 'recovered', recoveredAt: at(7) });
    expect(observeAlarm({ startedAt: at(2) }, { state: 'OK', updatedAt: at(1) })).toEqual({ kind: 'recovered', recoveredAt: at(2) });
  });
});

describe('deploymentWindow', () => {
  const finished = (minutes: number) => ({ from: 'api:13', to: 'api:14', startedAt: at(minutes - 5), finishedAt: at(minutes) });

  it('is inside when the deployment finished within the window before the alarm fired', () => {
    expect(deploymentWindow(finished(-29), at(0), at(0.5), 30)).toBe('inside');
    expect(deploymentWindow(finished(-31), at(0), at(0.5), 30)).toBe('outside-window');
  });

  it('counts a deployment still rolling out, or finishing after the alarm fired, as inside', () => {
    expect(deploymentWindow({ from: null, to: 'api:14', startedAt: at(-2), finishedAt: null }, at(0), at(1), 30)).toBe('inside');
    expect(deploymentWindow({ from: null, to: 'api:14', startedAt: at(-2), finishedAt: at(1) }, at(0), at(1), 30)).toBe('inside');
  });

  it('does not blame a deployment that started after the alarm fired', () => {
    expect(deploymentWindow({ from: 'api:14', to: 'api:15', startedAt: at(1), finishedAt: at(3) }, at(0), at(4), 30)).toBe('deployed-after-alarm');
  });

  it('does not act on an alarm first seen after the window passed', () => {
    expect(deploymentWindow(finished(-1), at(0), at(31), 30)).toBe('seen-late');
  });

  it('knows nothing without a deployment or its times', () => {
    expect(deploymentWindow(null, at(0), at(0), 30)).toBe('no-deployment');
    expect(deploymentWindow({ from: null, to: 'api:14', startedAt: null, finishedAt: null }, at(0), at(0), 30)).toBe('no-deployment');
  });
});

describe('decideForService', () => {
  const auto = { withinMinutesOfDeploy: 30, requireConfirmation: true };
  const facts: ServiceFacts = {
    auto,
    protectedEnvironment: false,
    episodeStart: at(0),
    now: at(0.5),
    deployment: { from: 'api:13', to: 'api:14', startedAt: at(-12), finishedAt: at(-10) },
    deployLocked: false,
    rollbackRunning: false,
    alreadyActed: false,
  };

  it('rolls back by itself when opted in, inside the window, and unprotected', () => {
    expect(decideForService(facts)).toEqual({ kind: 'auto-rollback', auto });
  });

  it('rolls back by itself in a protected environment only when confirmation is not required', () => {
    expect(decideForService({ ...facts, protectedEnvironment: true })).toEqual({ kind: 'offer', why: 'needs-confirmation' });
    const noConfirm = { ...auto, requireConfirmation: false };
    expect(decideForService({ ...facts, protectedEnvironment: true, auto: noConfirm })).toEqual({ kind: 'auto-rollback', auto: noConfirm });
  });

  it('only offers when not opted in or outside the window', () => {
    expect(decideForService({ ...facts, auto: null })).toEqual({ kind: 'offer', why: 'not-opted-in' });
    expect(decideForService({ ...facts, deployment: { ...facts.deployment!, finishedAt: at(-45) } })).toEqual({ kind: 'offer', why: 'outside-window' });
    expect(decideForService({ ...facts, deployment: null })).toEqual({ kind: 'offer', why: 'no-deployment' });
  });

  it('never acts twice in one episode, while a rollback of the service runs, or against a deploy lock', () => {
    expect(decideForService({ ...facts, alreadyActed: true })).toEqual({ kind: 'hold', why: 'already-acted' });
    expect(decideForService({ ...facts, rollbackRunning: true })).toEqual({ kind: 'hold', why: 'rollback-running' });
    expect(decideForService({ ...facts, deployLocked: true })).toEqual({ kind: 'hold', why: 'deploy-locked' });
  });

  it('names a running rollback even for a service that is not opted in', () => {
    expect(decideForService({ ...facts, auto: null, rollbackRunning: true })).toEqual({ kind: 'hold', why: 'rollback-running' });
  });
});

describe('episodeIncidentKey', () => {
  it('is the alarm and the episode start, within 255 characters', () => {
    expect(episodeIncidentKey('prod-5xx', at(0))).toBe('prod-5xx:2026-11-22T03:00:00.000Z');
    expect(episodeIncidentKey('x'.repeat(255), at(0)).length).toBeLessThanOrEqual(255);
  });
});
