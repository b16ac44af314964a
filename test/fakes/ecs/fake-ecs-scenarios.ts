import { parseTaskDefinitionArn } from '../../../src/domain/task-definition.js';
import { DEFAULT_BEHAVIOUR, type RolloutBehaviour } from './fake-ecs-rollout.js';
import type { FakeEcsState } from './fake-ecs-state.js';
import type { StoredTaskDefinition } from './fake-ecs-task-definitions.js';
import type { ServiceState } from './fake-ecs-types.js';

/** One past or current deployment of a seeded service. */
export interface SeedDeployment {
  /** `family:revision`; registered with one `app` container when the fake does not have it yet. */
  taskDefinition: string;
  /** Container name → image, used when the task definition has to be registered. */
  images?: Record<string, string>;
  /** How a past deployment ended: SUCCESSFUL (default), or ROLLBACK_SUCCESSFUL (stopped and rolled back). */
  outcome?: 'SUCCESSFUL' | 'ROLLBACK_SUCCESSFUL';
  /** Only on the last one: it is still rolling out, started this long ago (default 30 s) and behaving like this. */
  inProgress?: { startedSecondsAgo?: number; behaviour?: Partial<RolloutBehaviour> };
}

/** A service to create with a deployment history, as a test or the demo wants to find it. */
export interface ServiceSeed {
  service: string;
  /** Default `default`, as ECS's. */
  cluster?: string;
  /** Default: the fake's region. */
  region?: string;
  /** Default 2. */
  desiredCount?: number;
  /** Default: enabled, with rollback. */
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** How deployments started from now on behave, unless told per task definition. */
  behaviour?: Partial<RolloutBehaviour>;
  /** Oldest first, a day apart; the last is the service's current deployment. */
  deployments: (string | SeedDeployment)[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SEEDED_ROLLBACK_AFTER_MS = 10_000;

/** Creates the service and plays its history through the fake's own state machine, so it is consistent by construction. */
export function seedService(state: FakeEcsState, seed: ServiceSeed, defaultRegion: string): ServiceState {
  const entries = seed.deployments.map((d) => (typeof d === 'string' ? { taskDefinition: d } : d));
  if (entries.length === 0) throw new Error(`seeded service ${seed.service} needs at least one deployment`);
  if (entries.slice(0, -1).some((e) => e.inProgress)) throw new Error('only the last seeded deployment can be in progress');
  const now = state.clock.now();
  const startOf = (i: number) => {
    const progress = entries[i]!.inProgress;
    return progress ? now - (progress.startedSecondsAgo ?? 30) * 1000 : now - (entries.length - i) * DAY;
  };
  const region = seed.region ?? defaultRegion;
  const service = state.createService(region, seed.cluster ?? 'default', seed.service, {
    desiredCount: seed.desiredCount ?? 2,
    circuitBreaker: seed.circuitBreaker ?? { enable: true, rollback: true },
    createdAt: startOf(0),
  });
  entries.forEach((entry, i) => {
    const at = startOf(i);
    const td = ensureTaskDefinition(state, region, entry, at - HOUR);
    if (entry.inProgress) {
      state.deploy(service, td.arn, at, { ...DEFAULT_BEHAVIOUR, ...entry.inProgress.behaviour });
      return;
    }
    const record = state.deploy(service, td.arn, at, DEFAULT_BEHAVIOUR);
    if (entry.outcome === 'ROLLBACK_SUCCESSFUL') state.requestRollback(record, at + SEEDED_ROLLBACK_AFTER_MS);
    state.playTo(service, at + HOUR);
  });
  service.behaviour = seed.behaviour ?? {};
  return service;
}

function ensureTaskDefinition(state: FakeEcsState, region: string, entry: SeedDeployment, at: number): StoredTaskDefinition {
  const existing = state.taskDefinitions.resolve(region, entry.taskDefinition);
  if (existing) return existing;
  const parsed = parseTaskDefinitionArn(entry.taskDefinition);
  if (!parsed) throw new Error(`seed task definitions as family:revision, not ${entry.taskDefinition}`);
  const { family, revision } = parsed;
  const images = entry.images ?? { app: `${state.accountId}.dkr.ecr.${region}.amazonaws.com/${family}:1.${revision}.0` };
  const containerDefinitions = Object.entries(images).map(([name, image]) => ({
    name,
    image,
    essential: true,
    portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-region': region, 'awslogs-stream-prefix': name },
    },
  }));
  const input = {
    family,
    containerDefinitions,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: `arn:aws:iam::${state.accountId}:role/ecsTaskExecutionRole`,
  };
  return state.taskDefinitions.register(region, input, at, revision);
}
