import type { RollbackPlan } from '../../../src/domain/plan.js';
import type { AuditEntry, PromptRecord, RollbackStore, ServiceRollbackRecord } from '../../../src/ports/store.js';

/** A new rollback as `createRollback` takes it. */
export type NewRollback = Parameters<RollbackStore['createRollback']>[0];

/** A service row as `createRollback` takes it. */
export type NewService = Omit<ServiceRollbackRecord, 'rollbackId'>;

/** The tests' "now". */
export const T0 = new Date(Date.UTC(2026, 10, 22, 3, 0, 0));

/** `T0` plus `minutes`. */
export function at(minutes: number): Date {
  return new Date(T0.getTime() + minutes * 60_000);
}

let counter = 0;

/** An id unique within the test run. */
export function uniqueId(prefix = 'rb'): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A plan touching `services` in `environment`, with every optional part filled in so round trips are tested. */
export function aPlan(environment: string, services: string[]): RollbackPlan {
  return {
    environment,
    region: 'eu-west-1',
    cluster: `${environment}-cluster`,
    allServices: services.length > 1,
    services: services.map((service, i) => ({
      service,
      ecsService: `${environment}-${service}-svc`,
      current: {
        arn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${service}:${20 + i}`,
        family: service,
        revision: 20 + i,
        images: [{ container: service, image: `repo/${service}:v2`, tag: 'v2' }],
      },
      target: {
        arn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${service}:${19 + i}`,
        family: service,
        revision: 19 + i,
        images: [{ container: service, image: `repo/${service}@sha256:abc`, tag: 'sha256:abc' }],
      },
      targetSource: 'ecs-deployment-history',
      action: i === 0 ? { kind: 'stop-deployment', serviceDeploymentArn: `arn:deploy/${service}` } : { kind: 'update-service' },
      ...(i === 0 ? { registerFrom: { base: `${service}:20`, images: { [service]: 'repo/x:v1' } } } : {}),
    })),
  };
}

/** A rollback awaiting confirmation in `environment` for `services`, requested at `T0`, expiring 5 minutes later. */
export function aRollback(environment: string, services: string[], overrides: Partial<NewRollback> = {}): NewRollback {
  return {
    id: uniqueId(),
    environment,
    state: 'awaiting_confirmation',
    requestedBy: 'U_REQUESTER',
    confirmedBy: null,
    approvedBy: null,
    reason: 'bad deploy: 500s on /checkout',
    dryRun: false,
    channelId: 'C_OPS',
    plan: aPlan(environment, services),
    expiresAt: at(5),
    createdAt: T0,
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

/** Pending service rows for `services`. */
export function someServices(services: string[]): NewService[] {
  return services.map((service) => ({
    service,
    state: 'pending',
    fromTaskDefinition: `${service}:20`,
    toTaskDefinition: `${service}:19`,
    startedAt: null,
    finishedAt: null,
    detail: null,
  }));
}

/** An unanswered prompt for `rollbackId`. */
export function aPrompt(rollbackId: string, overrides: Partial<PromptRecord> = {}): PromptRecord {
  return {
    rollbackId,
    kind: 'confirm',
    channelId: 'C_OPS',
    messageTs: null,
    responseUrl: null,
    createdAt: T0,
    expiresAt: at(5),
    answer: null,
    answeredBy: null,
    answeredAt: null,
    ...overrides,
  };
}

/** An audit entry at `T0`. */
export function anAudit(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: T0,
    actor: 'U_REQUESTER',
    action: 'rollback.requested',
    environment: 'prod',
    service: 'api',
    rollbackId: null,
    fromRevision: 'api:20',
    toRevision: 'api:19',
    outcome: 'info',
    detail: null,
    ...overrides,
  };
}
