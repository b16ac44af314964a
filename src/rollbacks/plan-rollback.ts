import type { EnvironmentSpec } from '../domain/catalog.js';
import type { RollbackTarget } from '../domain/command.js';
import { mapWithConcurrency } from '../domain/concurrency.js';
import { UserFacingError } from '../domain/errors.js';
import { chooseFromFamily, chooseFromHistory, sameTaskDefinition } from '../domain/last-good.js';
import type { RollbackPlan, ServicePlan, TargetSource } from '../domain/plan.js';
import { imageRepository, imageTag, withImageTag, type TaskDefinitionRef } from '../domain/task-definition.js';
import { DeploymentsError, type DeploymentsPort, type ServiceLocation, type ServiceSnapshot } from '../ports/deployments.js';

/** How many history entries and family revisions are read when looking for the last good revision. */
const HISTORY_DEPTH = 20;
const FAMILY_DEPTH = 50;

/** Works out, without changing anything, what a rollback of some services would do. */
export class RollbackPlanner {
  constructor(private readonly deployments: DeploymentsPort) {}

  /** Builds the plan; throws UserFacingError naming the service when ECS cannot tell us what we need. */
  async plan(environment: EnvironmentSpec, serviceNames: string[], allServices: boolean, target: RollbackTarget | null): Promise<RollbackPlan> {
    const specs = serviceNames.map((name) => {
      const spec = environment.services[name];
      if (!spec) throw new UserFacingError('unknown_service', `Unknown service \`${name}\` in ${environment.name}.`);
      return spec;
    });
    const described = await this.call('DescribeServices', () =>
      this.deployments.describeServices(environment.region, environment.cluster, specs.map((s) => s.ecsService)),
    );
    if (described.missing.length > 0) {
      const names = described.missing.map((m) => `\`${m.service}\``).join(', ');
      throw new UserFacingError('service_not_found', `ECS has no active service ${names} in cluster \`${environment.cluster}\` (${environment.region}). Check the config.`);
    }
    const byName = new Map(described.services.map((s) => [s.serviceName, s]));
    const services = await mapWithConcurrency(specs, environment.tunables.concurrency, async (spec) => {
      const snapshot = byName.get(spec.ecsService);
      if (!snapshot || snapshot.status !== 'ACTIVE') {
        throw new UserFacingError('service_not_found', `ECS service \`${spec.ecsService}\` is not active in cluster \`${environment.cluster}\`.`);
      }
      try {
        return await this.planService(environment, spec.name, snapshot, target);
      } catch (err) {
        if (err instanceof UserFacingError) throw new UserFacingError(err.code, `${spec.name}: ${err.message}`, { cause: err });
        throw err;
      }
    });
    return { environment: environment.name, region: environment.region, cluster: environment.cluster, allServices, services };
  }

  private async planService(environment: EnvironmentSpec, service: string, snapshot: ServiceSnapshot, requested: RollbackTarget | null): Promise<ServicePlan> {
    const region = environment.region;
    const current = await this.describe(region, snapshot.taskDefinitionArn);
    const base = { service, ecsService: snapshot.serviceName, current };
    if (requested?.kind === 'revision') {
      const target = await this.describe(region, `${current.family}:${requested.revision}`, `Task definition \`${current.family}:${requested.revision}\` does not exist.`);
      return this.finish(base, target, 'requested-revision', null);
    }
    if (requested?.kind === 'image-tag') return this.planImageTag(region, base, requested.tag);
    return this.planLastGood(environment, base, snapshot);
  }

  private async planLastGood(environment: EnvironmentSpec, base: Pick<ServicePlan, 'service' | 'ecsService' | 'current'>, snapshot: ServiceSnapshot): Promise<ServicePlan> {
    const region = environment.region;
    const location = { region, cluster: environment.cluster, service: snapshot.serviceName };
    const history = await this.historyOf(location);
    if (history && history.length > 0) {
      const choice = chooseFromHistory(history, snapshot.taskDefinitionArn);
      if (choice.kind === 'ecs-already-rolling-back') {
        throw new UserFacingError('ecs_already_rolling_back', 'ECS is already rolling this service back; there is nothing more to do. Follow it with `/rollback status`.');
      }
      if (choice.kind === 'stop-in-progress') {
        const target = await this.describe(region, choice.target);
        return this.finish(base, target, 'ecs-deployment-history', choice.serviceDeploymentArn);
      }
      if (choice.kind === 'previous-successful') {
        return this.finish(base, await this.describe(region, choice.target), 'ecs-deployment-history', null);
      }
    }
    const older = snapshot.deployments.find((d) => d.status !== 'PRIMARY' && !sameTaskDefinition(d.taskDefinitionArn, snapshot.taskDefinitionArn));
    if (older) return this.finish(base, await this.describe(region, older.taskDefinitionArn), 'ecs-deployments', null);
    const family = await this.call('ListTaskDefinitions', () => this.deployments.listTaskDefinitionArns(region, base.current.family, FAMILY_DEPTH));
    const fromFamily = chooseFromFamily(family, snapshot.taskDefinitionArn);
    if (!fromFamily) {
      throw new UserFacingError('no_previous_revision', `No earlier ACTIVE revision of \`${base.current.family}\` than ${base.current.revision} to go back to. Name one with \`to <revision>\`.`);
    }
    return this.finish(base, await this.describe(region, fromFamily), 'task-definition-family', null);
  }

  /**
   * ECS's deployment history, or null when this endpoint or role cannot read it: ListServiceDeployments
   * is a newer IAM action that many roles lack, and the fallbacks below still find the last good revision.
   */
  private async historyOf(location: ServiceLocation) {
    try {
      return await this.deployments.listServiceDeployments(location, HISTORY_DEPTH);
    } catch (err) {
      if (err instanceof DeploymentsError && (err.code === 'access_denied' || err.code === 'unsupported')) return null;
      return this.call('ListServiceDeployments', () => Promise.reject(err));
    }
  }

  private async planImageTag(region: string, base: Pick<ServicePlan, 'service' | 'ecsService' | 'current'>, tag: string): Promise<ServicePlan> {
    const { current } = base;
    if (current.images.some((i) => i.tag === tag)) return this.finish(base, current, 'requested-image-tag', null);
    const arns = await this.call('ListTaskDefinitions', () => this.deployments.listTaskDefinitionArns(region, current.family, FAMILY_DEPTH));
    for (const arn of arns) {
      const candidate = await this.describe(region, arn);
      if (candidate.images.some((i) => i.tag === tag)) return this.finish(base, candidate, 'requested-image-tag', null);
    }
    const app = current.images[0];
    if (!app) throw new UserFacingError('no_containers', `\`${current.family}:${current.revision}\` has no container to retag.`);
    const repository = imageRepository(app.image);
    const images: Record<string, string> = {};
    for (const image of current.images) {
      if (imageRepository(image.image) === repository) images[image.container] = withImageTag(image.image, tag);
    }
    const target: TaskDefinitionRef = {
      arn: '',
      family: current.family,
      revision: 0,
      images: current.images.map((i) => (images[i.container] ? { container: i.container, image: images[i.container]!, tag: imageTag(images[i.container]!) } : i)),
    };
    return { ...base, target, targetSource: 'registered-for-image-tag', action: { kind: 'update-service' }, registerFrom: { base: current.arn, images } };
  }

  private finish(base: Pick<ServicePlan, 'service' | 'ecsService' | 'current'>, target: TaskDefinitionRef, targetSource: TargetSource, stopDeploymentArn: string | null): ServicePlan {
    if (sameTaskDefinition(target.arn, base.current.arn)) return { ...base, target, targetSource, action: { kind: 'none' } };
    const action = stopDeploymentArn ? { kind: 'stop-deployment' as const, serviceDeploymentArn: stopDeploymentArn } : { kind: 'update-service' as const };
    return { ...base, target, targetSource, action };
  }

  private describe(region: string, taskDefinition: string, notFound?: string): Promise<TaskDefinitionRef> {
    return this.call('DescribeTaskDefinition', () => this.deployments.describeTaskDefinition(region, taskDefinition), notFound);
  }

  private async call<T>(operation: string, fn: () => Promise<T>, notFound?: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof DeploymentsError) {
        if (err.code === 'not_found' && notFound) throw new UserFacingError('not_found', notFound, { cause: err });
        throw new UserFacingError(`ecs_${err.code}`, `ECS ${operation} failed: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }
}
