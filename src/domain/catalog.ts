/** Timing and concurrency settings that apply to one environment. */
export interface Tunables {
  pollSeconds: number;
  timeoutMinutes: number;
  verifyMinutes: number;
  promptExpiryMinutes: number;
  concurrency: number;
  /** How long a database rollback waits for each of its snapshot and its restore. */
  restoreTimeoutMinutes: number;
}

/** A service the bot may roll back. */
export interface ServiceSpec {
  /** Short name people type, e.g. `api`. */
  name: string;
  ecsService: string;
  healthCheckUrl?: string;
  alarms: string[];
  /** A CloudWatch metric to show beside the rollout, e.g. the ALB's 5xx count. */
  metric?: { namespace: string; metricName: string; dimensions: Record<string, string>; stat: string; periodSeconds: number };
  /** When an alarm may roll this service back by itself: its own `autoRollback`, else its environment's. */
  autoRollback?: AutoRollbackSpec;
}

/** Config `autoRollback`: which alarms may start a rollback by themselves, and when. */
export interface AutoRollbackSpec {
  /** Alarm names that may; undefined means every alarm that maps to the service. */
  alarms?: string[];
  /** Only when the service's latest deployment finished at most this long before the alarm fired. */
  withinMinutesOfDeploy: number;
  /** In a protected environment, offer the button instead of rolling back. */
  requireConfirmation: boolean;
}

/** A database the bot may restore. */
export interface DatabaseSpec {
  name: string;
  dbInstanceIdentifier: string;
}

/** One environment: where its services run and who may touch them. */
export interface EnvironmentSpec {
  name: string;
  region: string;
  cluster: string;
  protected: boolean;
  /** Who may start rollbacks here; undefined means anyone. */
  requesters?: string[];
  /** Who may give the second approval; undefined means any requester other than the one who asked. */
  approvers?: string[];
  tunables: Tunables;
  /** CloudWatch alarm name prefixes watched besides the services' own alarms. */
  alarmPrefixes?: string[];
  services: Record<string, ServiceSpec>;
  databases: Record<string, DatabaseSpec>;
}

/** Everything the bot knows how to roll back, from the validated config. */
export interface Catalog {
  incidentsChannel: string;
  environments: Record<string, EnvironmentSpec>;
  pagerduty?: { serviceId?: string; urgency: 'high' | 'low' };
  /** How often the alarm watcher polls CloudWatch; 30 when unset. */
  alarmPollSeconds?: number;
}

/** Looks an environment up by name, ignoring case. */
export function findEnvironment(catalog: Catalog, name: string): EnvironmentSpec | undefined {
  const wanted = name.toLowerCase();
  return Object.values(catalog.environments).find((e) => e.name === wanted);
}
