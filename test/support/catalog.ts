import { ConfigError, parseConfig } from '../../src/config/load-config.js';
import type { Catalog } from '../../src/domain/catalog.js';

/** The example of CONTRACT.md with a second production service, as YAML. */
export const SAMPLE_CONFIG_YAML = `
incidentsChannel: C0INCIDENTS
environments:
  production:
    region: us-east-1
    cluster: shieldai-production
    protected: true
    requesters: [U0ALICE, U0BOB]
    approvers: [U0CAROL]
    services:
      api:
        ecsService: shieldai-production-api
        healthCheckUrl: https://api.example.com/health
        alarms: [shieldai-production-alb-5xx]
      worker:
        ecsService: shieldai-production-worker
    databases:
      main:
        dbInstanceIdentifier: shieldai-production-db
  staging:
    region: us-east-1
    cluster: shieldai-staging
    protected: false
    services:
      api: { ecsService: shieldai-staging-api }
`;

/** The sample config, parsed. */
export function sampleCatalog(): Catalog {
  return parseConfig(SAMPLE_CONFIG_YAML, 'sample.yaml');
}

/** What is wrong with a config text, as `parseConfig` reports it for rollback.config.yaml; empty when it is valid. */
export function configProblems(text: string): string[] {
  try {
    parseConfig(text, 'rollback.config.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
