import { sameTaskDefinition } from '../domain/last-good.js';
import type { ServicePlan } from '../domain/plan.js';
import { shortName } from '../domain/task-definition.js';
import type { Clock } from '../ports/clock.js';
import type { DeploymentsPort } from '../ports/deployments.js';
import type { RollbackRecord, RollbackStore, ServiceRollbackRecord } from '../ports/store.js';
import type { AuditTrail } from './audit-trail.js';
import type { RollbackEventBus } from './rollback-events.js';

/** What acting on a service needs. */
export interface ActorDeps {
  store: RollbackStore;
  deployments: DeploymentsPort;
  audit: AuditTrail;
  clock: Clock;
  events: RollbackEventBus;
}

/**
 * Makes the one mutating ECS call for a service (registering a revision first when the plan says so),
 * with its state written before and after the call, unless a previous run already made it: after a
 * crash between the call and the write, ECS already deploying the target means the call happened.
 */
export async function actOnService(
  deps: ActorDeps,
  rollback: RollbackRecord,
  record: ServiceRollbackRecord,
  plan: ServicePlan,
): Promise<{ target: string; startedAt: number }> {
  const { store, deployments, audit, clock } = deps;

  const location = { region: rollback.plan.region, cluster: rollback.plan.cluster, service: plan.ecsService };
  const facts = { environment: rollback.environment, service: record.service, rollbackId: rollback.id, fromRevision: shortName(plan.current) };
  const startedAt = record.startedAt?.getTime() ?? clock.now();
  let target = record.toTaskDefinition;

  if (record.state === 'acting' && target) {
    const { services } = await deployments.describeServices(location.region, location.cluster, [plan.ecsService]);
    const primary = services[0]?.deployments.find((d) => d.status === 'PRIMARY');
    if (primary && sameTaskDefinition(primary.taskDefinitionArn, target)) {
      await audit.record('system', 'ecs.call-found-applied-after-restart', 'info', { ...facts, toRevision: target });
      await store.updateService(rollback.id, record.service, { state: 'watching' });
      return { target, startedAt };
    }
  }
  if (!target && plan.registerFrom) {
    const from = plan.registerFrom;
    const registered = await audit.around(rollback.requestedBy, 'ecs.register-task-definition', { ...facts, detail: { images: from.images } }, () =>
      deployments.registerTaskDefinitionWithImages(location.region, from.base, from.images),
    );
    target = registered.arn;
    await store.updateService(rollback.id, record.service, { toTaskDefinition: target });
  }
  await store.updateService(rollback.id, record.service, { state: 'acting', startedAt: new Date(startedAt) });
  const toFacts = { ...facts, toRevision: target };
  if (plan.action.kind === 'stop-deployment') {
    const arn = plan.action.serviceDeploymentArn;
    await audit.around(rollback.requestedBy, 'ecs.stop-service-deployment', { ...toFacts, detail: { serviceDeploymentArn: arn } }, () =>
      deployments.stopServiceDeployment(location.region, arn),
    );
  } else {
    await audit.around(rollback.requestedBy, 'ecs.update-service', toFacts, () => deployments.updateService(location, target));
  }
  await store.updateService(rollback.id, record.service, { state: 'watching' });
  deps.events.emit({ type: 'service-acted', rollback, service: record.service, action: plan.action.kind });
  return { target, startedAt };
}
