import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

/** The account the shipped policy is written for; README "Set up", step 5, says to replace it. */
export const EXAMPLE_ACCOUNT = '123456789012';

/** One ECS service of the example config, with the names the policy scopes it by (README "Set up", step 5). */
export interface ExampleService {
  environment: string;
  region: string;
  cluster: string;
  service: string;
  /** The task-definition family, ECR repository and `/ecs/<family>` log group share the service's name. */
  family: string;
  taskRole: string;
  executionRole: string;
}

/** One RDS instance of the example config, and the Secrets Manager secret its services read. */
export interface ExampleDatabase {
  region: string;
  instance: string;
  endpointSecrets: string[];
}

/** What the example config names that the bot calls AWS about. */
export interface ExampleAccount {
  account: string;
  regions: string[];
  clusters: { region: string; cluster: string }[];
  services: ExampleService[];
  databases: ExampleDatabase[];
}

interface ConfigShape {
  environments: Record<
    string,
    {
      region: string;
      cluster: string;
      services: Record<string, { ecsService: string }>;
      databases?: Record<string, { dbInstanceIdentifier: string; endpointSecret?: { secretId: string } }>;
    }
  >;
}

/**
 * Wave 2 names these before the example config does; each joins the config with the issue that adds it.
 * Issue 16: the database `main` of production switches the secret `production/db` (the contract's example).
 */
const WAVE_2_ENDPOINT_SECRETS: Record<string, Record<string, string>> = { production: { main: 'production/db' } };

/** The example config's clusters, services and databases, read as the contract defines its keys. */
export async function readExampleAccount(root: string): Promise<ExampleAccount> {
  const config = parse(await readFile(path.join(root, 'rollback.config.example.yaml'), 'utf8')) as ConfigShape;
  const environments = Object.entries(config.environments);
  return {
    account: EXAMPLE_ACCOUNT,
    regions: [...new Set(environments.map(([, e]) => e.region))],
    clusters: environments.map(([, e]) => ({ region: e.region, cluster: e.cluster })),
    services: environments.flatMap(([environment, e]) =>
      Object.values(e.services).map((s) => ({
        environment,
        region: e.region,
        cluster: e.cluster,
        service: s.ecsService,
        family: s.ecsService,
        taskRole: `${s.ecsService}-task`,
        executionRole: `${e.cluster}-task-execution`,
      })),
    ),
    databases: environments.flatMap(([environment, e]) =>
      Object.entries(e.databases ?? {}).map(([name, d]) => ({
        region: e.region,
        instance: d.dbInstanceIdentifier,
        endpointSecrets: [...new Set([d.endpointSecret?.secretId, WAVE_2_ENDPOINT_SECRETS[environment]?.[name]].filter((s) => s !== undefined))],
      })),
    ),
  };
}
