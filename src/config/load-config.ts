import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { AutoRollbackSpec, Catalog, EnvironmentSpec } from '../domain/catalog.js';
import { configFileSchema, DEFAULT_ALARM_POLL_SECONDS, DEFAULT_TUNABLES, type AutoRollbackConfig, type ConfigFile } from './schema.js';

/** Why the config could not be used: one line per problem, each naming its path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Reads, parses and validates the YAML config file; throws ConfigError listing every problem at once. */
export async function loadConfig(path: string): Promise<Catalog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([
      code === 'ENOENT'
        ? `${path}: file not found (set ROLLBACK_CONFIG, or copy rollback.config.example.yaml to ${path})`
        : `${path}: cannot be read (${code ?? 'unknown error'})`,
    ]);
  }
  return parseConfig(text, path);
}

/** Parses and validates config text; `source` names it in messages. */
export function parseConfig(text: string, source: string): Catalog {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${source}: YAML ${describeYamlError(e)}`));
  }
  const result = configFileSchema.safeParse(doc.toJS());
  if (!result.success) throw new ConfigError(result.error.issues.flatMap((i) => describeIssue(source, i)));
  return toCatalog(result.data);
}

function describeYamlError(error: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): string {
  const at = error.linePos?.[0];
  const firstLine = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  return at ? `line ${at.line}, column ${at.col}: ${firstLine}` : firstLine;
}

function describeIssue(source: string, issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${source}: ${path ? `${path}.` : ''}${k}: unknown key`);
  }
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0]?.message ?? issue.message;
    return [`${source}: ${path}: name ${inner}`];
  }
  const required = issue.code === 'invalid_type' && issue.message.includes('received undefined');
  return [`${source}: ${path || '(top level)'}: ${required ? 'required' : issue.message}`];
}

function toCatalog(file: ConfigFile): Catalog {
  const environments: Record<string, EnvironmentSpec> = {};
  for (const [envName, env] of Object.entries(file.environments)) {
    const { region, cluster, requesters, approvers, services, databases } = env;
    environments[envName] = {
      name: envName,
      region,
      cluster,
      protected: env.protected,
      ...(requesters ? { requesters } : {}),
      ...(approvers ? { approvers } : {}),
      tunables: {
        pollSeconds: env.pollSeconds ?? file.defaults?.pollSeconds ?? DEFAULT_TUNABLES.pollSeconds,
        timeoutMinutes: env.timeoutMinutes ?? file.defaults?.timeoutMinutes ?? DEFAULT_TUNABLES.timeoutMinutes,
        verifyMinutes: env.verifyMinutes ?? file.defaults?.verifyMinutes ?? DEFAULT_TUNABLES.verifyMinutes,
        promptExpiryMinutes:
          env.promptExpiryMinutes ?? file.defaults?.promptExpiryMinutes ?? DEFAULT_TUNABLES.promptExpiryMinutes,
        concurrency: env.concurrency ?? file.defaults?.concurrency ?? DEFAULT_TUNABLES.concurrency,
        restoreTimeoutMinutes: env.restoreTimeoutMinutes ?? file.defaults?.restoreTimeoutMinutes ?? DEFAULT_TUNABLES.restoreTimeoutMinutes,
      },
      ...(env.alarmPrefixes ? { alarmPrefixes: env.alarmPrefixes } : {}),
      services: Object.fromEntries(
        Object.entries(services).map(([name, s]) => [
          name,
          {
            name,
            ecsService: s.ecsService,
            alarms: s.alarms ?? [],
            ...(s.healthCheckUrl ? { healthCheckUrl: s.healthCheckUrl } : {}),
            ...(s.metric ? { metric: s.metric } : {}),
            ...autoRollbackOf(s.autoRollback ?? env.autoRollback),
          },
        ]),
      ),
      databases: Object.fromEntries(
        Object.entries(databases ?? {}).map(([name, d]) => [name, { name, dbInstanceIdentifier: d.dbInstanceIdentifier }]),
      ),
    };
  }
  return {
    incidentsChannel: file.incidentsChannel,
    environments,
    // One watcher serves every environment, so it polls at the fastest cadence any of them asks for.
    alarmPollSeconds: Math.min(
      file.defaults?.alarmPollSeconds ?? DEFAULT_ALARM_POLL_SECONDS,
      ...Object.values(file.environments).map((e) => e.alarmPollSeconds ?? Number.POSITIVE_INFINITY),
    ),
    ...(file.pagerduty ? { pagerduty: { urgency: file.pagerduty.urgency, ...(file.pagerduty.serviceId ? { serviceId: file.pagerduty.serviceId } : {}) } } : {}),
  };
}

// A service's own autoRollback replaces its environment's whole, so a service can narrow or widen it.
function autoRollbackOf(config: AutoRollbackConfig | undefined): { autoRollback?: AutoRollbackSpec } {
  if (!config) return {};
  const { alarms, withinMinutesOfDeploy, requireConfirmation } = config;
  return { autoRollback: { ...(alarms ? { alarms } : {}), withinMinutesOfDeploy, requireConfirmation } };
}
