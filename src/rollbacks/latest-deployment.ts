import type { LatestDeployment } from '../domain/alarm-episodes.js';
import type { EnvironmentSpec, ServiceSpec } from '../domain/catalog.js';
import { parseTaskDefinitionArn } from '../domain/task-definition.js';
import { DeploymentsError, type DeploymentsPort, type ServiceDeploymentRecord, type ServiceSnapshot } from '../ports/deployments.js';

/**
 * The service's latest deployment: ECS's deployment history when this endpoint and role offer it,
 * else the deployments DescribeServices lists. Null when neither tells; other ECS failures throw
 * DeploymentsError.
 */
export async function findLatestDeployment(
  deployments: DeploymentsPort,
  environment: EnvironmentSpec,
  service: ServiceSpec,
): Promise<LatestDeployment | null> {
  const location = { region: environment.region, cluster: environment.cluster, service: service.ecsService };
  let history: ServiceDeploymentRecord[] | null;
  try {
    history = await deployments.listServiceDeployments(location, 1);
  } catch (err) {
    // Denied is the same as absent: the role may lack ecs:ListServiceDeployments, and DescribeServices still answers.
    if (!(err instanceof DeploymentsError) || !['access_denied', 'unsupported'].includes(err.code)) throw err;
    history = null;
  }
  const newest = history?.[0];
  if (newest) return fromHistory(newest);
  const { services } = await deployments.describeServices(location.region, location.cluster, [location.service]);
  const snapshot = services[0];
  return snapshot ? fromSnapshot(snapshot) : null;
}

function fromHistory(record: ServiceDeploymentRecord): LatestDeployment {
  const source = record.sourceTaskDefinitionArns[0];
  return {
    from: source ? label(source) : null,
    to: record.targetTaskDefinitionArn ? label(record.targetTaskDefinitionArn) : null,
    startedAt: record.startedAt ?? record.createdAt ?? null,
    finishedAt: record.finishedAt ?? null,
  };
}

// Without the history, the PRIMARY deployment is the latest; while it rolls out, the ACTIVE one is what it replaces.
function fromSnapshot(snapshot: ServiceSnapshot): LatestDeployment | null {
  const primary = snapshot.deployments.find((d) => d.status === 'PRIMARY');
  if (!primary) return null;
  const previous = snapshot.deployments.find((d) => d.status === 'ACTIVE');
  const rolling = primary.rolloutState === 'IN_PROGRESS' || (primary.rolloutState === undefined && previous !== undefined);
  return {
    from: previous ? label(previous.taskDefinitionArn) : null,
    to: label(primary.taskDefinitionArn),
    startedAt: primary.createdAt ?? null,
    finishedAt: rolling ? null : (primary.updatedAt ?? primary.createdAt ?? null),
  };
}

function label(arn: string): string {
  const parsed = parseTaskDefinitionArn(arn);
  return parsed ? `${parsed.family}:${parsed.revision}` : arn;
}
