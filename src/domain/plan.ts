import type { DatabaseRestorePlan } from './database-restore.js';
import type { TaskDefinitionRef } from './task-definition.js';

/** What a rollback will do to one service. */
export type ServiceAction =
  /** UpdateService(taskDefinition: target, forceNewDeployment: true) */
  | { kind: 'update-service' }
  /** StopServiceDeployment(stopType: ROLLBACK) on the deployment still in progress */
  | { kind: 'stop-deployment'; serviceDeploymentArn: string }
  /** Already running the target: nothing to do */
  | { kind: 'none' };

/** How the target revision was chosen, so the prompt and the audit log can say why. */
export type TargetSource =
  | 'ecs-deployment-history'
  | 'ecs-deployments'
  | 'task-definition-family'
  | 'requested-revision'
  | 'requested-image-tag'
  | 'registered-for-image-tag';

/** One service of a rollback plan. */
export interface ServicePlan {
  /** Our config's short name, e.g. `api`. */
  service: string;
  ecsService: string;
  current: TaskDefinitionRef;
  target: TaskDefinitionRef;
  targetSource: TargetSource;
  action: ServiceAction;
  /** Set when the target revision must first be registered (`to <image-tag>` with no existing revision). */
  registerFrom?: { base: string; images: Record<string, string> };
}

/** Everything a rollback will change, worked out before anyone is asked to confirm. */
export interface RollbackPlan {
  environment: string;
  region: string;
  cluster: string;
  /** True when the request named `all`. */
  allServices: boolean;
  services: ServicePlan[];
  /** Set on a database rollback (then `services` is empty): the RDS restore into a new instance. */
  database?: DatabaseRestorePlan;
}

/** The services of a plan that will actually change. */
export function servicesToChange(plan: RollbackPlan): ServicePlan[] {
  return plan.services.filter((s) => s.action.kind !== 'none');
}
