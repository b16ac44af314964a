import { servicesToChange, type RollbackPlan } from './plan.js';
import { shortName } from './task-definition.js';

/** The AWS calls a real run of `plan` would make, one line each in the order the runner makes them, for dry runs. */
export function plannedAwsCalls(plan: RollbackPlan): string[] {
  return servicesToChange(plan).flatMap((s) => {
    const register = s.registerFrom ? [`ecs:RegisterTaskDefinition (from ${shortName(s.current)}, images ${Object.values(s.registerFrom.images).join(', ')})`] : [];
    const act =
      s.action.kind === 'stop-deployment'
        ? `ecs:StopServiceDeployment serviceDeploymentArn=${s.action.serviceDeploymentArn} stopType=ROLLBACK`
        : `ecs:UpdateService cluster=${plan.cluster} service=${s.ecsService} taskDefinition=${s.target.arn || '<registered>'} forceNewDeployment=true`;
    return [...register, act];
  });
}
