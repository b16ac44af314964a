import { EcsApiError } from './fake-ecs-errors.js';

/** A task definition revision as the fake keeps it: what was registered, with ECS's defaults filled in. */
export interface StoredTaskDefinition {
  region: string;
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  registeredAt: number;
  /** The registrable fields, as DescribeTaskDefinition will show them. */
  definition: Record<string, unknown>;
  tags: { key: string; value: string }[];
}

/** A RegisterTaskDefinition request body. */
export type RegisterInput = Record<string, unknown> & { family: string; containerDefinitions: Record<string, unknown>[] };

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const REGISTERED_BY = (account: string) => `arn:aws:iam::${account}:role/deployer`;

/** Task definition families and revisions of one fake ECS, per region. */
export class TaskDefinitionRegistry {
  private readonly byKey = new Map<string, StoredTaskDefinition>();

  constructor(private readonly accountId: string) {}

  /** RegisterTaskDefinition: the next revision of the family (or exactly `revision`, for seeding history). */
  register(region: string, input: RegisterInput, at: number, revision?: number): StoredTaskDefinition {
    if (!FAMILY.test(input.family)) {
      throw new EcsApiError('ClientException', 'Family contains invalid characters or is longer than 255 characters.');
    }
    for (const container of input.containerDefinitions) {
      if (!container['name']) throw new EcsApiError('ClientException', 'Container.name should not be null or empty.');
      if (!container['image']) throw new EcsApiError('ClientException', 'Container.image should not be null or empty.');
    }
    const revisions = this.list(region, { family: input.family, status: 'ALL', sort: 'ASC' });
    const next = revision ?? (revisions.at(-1)?.revision ?? 0) + 1;
    const { tags, ...fields } = input;
    // DescribeTaskDefinition shows these defaults even when the registration left them out.
    const containerDefinitions = input.containerDefinitions.map((c) => ({
      cpu: 0,
      portMappings: [],
      essential: true,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      ...c,
    }));
    const stored: StoredTaskDefinition = {
      region,
      arn: `arn:aws:ecs:${region}:${this.accountId}:task-definition/${input.family}:${next}`,
      family: input.family,
      revision: next,
      status: 'ACTIVE',
      registeredAt: at,
      definition: { volumes: [], placementConstraints: [], ...fields, containerDefinitions },
      tags: (tags as StoredTaskDefinition['tags'] | undefined) ?? [],
    };
    this.byKey.set(`${region}/${input.family}:${next}`, stored);
    return stored;
  }

  /** A task definition by ARN, `family:revision` or `family` (its latest ACTIVE revision), as ECS resolves them. */
  resolve(region: string, ref: string): StoredTaskDefinition | undefined {
    const arn = /^arn:aws:ecs:([^:]+):\d{12}:task-definition\/(.+)$/.exec(ref);
    if (arn) return arn[1] === region ? this.resolve(region, arn[2]!) : undefined;
    if (ref.includes(':')) return this.byKey.get(`${region}/${ref}`);
    return this.list(region, { family: ref, status: 'ACTIVE', sort: 'DESC' })[0];
  }

  /** ListTaskDefinitions' view: one family or all, by status, ordered by family then revision. */
  list(
    region: string,
    filter: { family?: string; status: 'ACTIVE' | 'INACTIVE' | 'ALL'; sort: 'ASC' | 'DESC' },
  ): StoredTaskDefinition[] {
    const found = [...this.byKey.values()].filter(
      (td) =>
        td.region === region &&
        (filter.family === undefined || td.family === filter.family) &&
        (filter.status === 'ALL' || td.status === filter.status),
    );
    found.sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
    return filter.sort === 'DESC' ? found.reverse() : found;
  }

  /** The TaskDefinition structure ECS answers with. */
  wire(td: StoredTaskDefinition): Record<string, unknown> {
    const fargate = (td.definition['requiresCompatibilities'] as string[] | undefined)?.includes('FARGATE');
    const compatibilities = fargate ? ['EC2', 'FARGATE'] : ['EC2'];
    return {
      taskDefinitionArn: td.arn,
      ...td.definition,
      revision: td.revision,
      status: td.status,
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
      compatibilities,
      registeredAt: td.registeredAt / 1000,
      registeredBy: REGISTERED_BY(this.accountId),
    };
  }
}
