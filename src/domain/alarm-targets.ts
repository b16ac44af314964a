import type { AutoRollbackSpec, Catalog, EnvironmentSpec, ServiceSpec } from './catalog.js';

/** What an alarm is about: one service, or (matched only by a prefix, naming no service) a whole environment. */
export interface AlarmTarget {
  environment: string;
  /** Null when the alarm names no configured service: it is announced without a button. */
  service: string | null;
}

/** What to ask CloudWatch for in one region. */
export interface AlarmWatchList {
  region: string;
  /** Alarm names listed on services. */
  names: string[];
  /** Alarm name prefixes of environments. */
  prefixes: string[];
}

/** The alarms to poll, per region: every service's `alarms` and every environment's `alarmPrefixes`. */
export function alarmWatchLists(catalog: Catalog): AlarmWatchList[] {
  const byRegion = new Map<string, { names: Set<string>; prefixes: Set<string> }>();
  for (const environment of Object.values(catalog.environments)) {
    const list = byRegion.get(environment.region) ?? { names: new Set<string>(), prefixes: new Set<string>() };
    byRegion.set(environment.region, list);
    for (const service of Object.values(environment.services)) for (const name of service.alarms) list.names.add(name);
    for (const prefix of environment.alarmPrefixes ?? []) list.prefixes.add(prefix);
  }
  return [...byRegion]
    .map(([region, list]) => ({ region, names: [...list.names].sort(), prefixes: [...list.prefixes].sort() }))
    .filter((l) => l.names.length > 0 || l.prefixes.length > 0);
}

/**
 * Where an alarm of `region` belongs, per environment of that region: the services that list it in
 * `alarms`; otherwise, when its name starts with one of the environment's `alarmPrefixes`, the
 * service whose ECS service name the alarm name contains (the longest such name, so
 * `shop-api-gateway-5xx` is the gateway's and not `shop-api`'s), or the environment alone.
 */
export function alarmTargets(catalog: Catalog, region: string, alarmName: string): AlarmTarget[] {
  return Object.values(catalog.environments)
    .filter((e) => e.region === region)
    .flatMap((environment) => alarmTargetsIn(environment, alarmName));
}

/** Where an alarm belongs within one environment (see alarmTargets). */
export function alarmTargetsIn(environment: EnvironmentSpec, alarmName: string): AlarmTarget[] {
  const services = Object.values(environment.services);
  const listing = services.filter((s) => s.alarms.includes(alarmName));
  if (listing.length > 0) return listing.map((s) => ({ environment: environment.name, service: s.name }));
  if (!(environment.alarmPrefixes ?? []).some((p) => alarmName.startsWith(p))) return [];
  const lowered = alarmName.toLowerCase();
  const named = services.filter((s) => lowered.includes(s.ecsService.toLowerCase()));
  const longest = Math.max(0, ...named.map((s) => s.ecsService.length));
  const chosen = named.filter((s) => s.ecsService.length === longest);
  return chosen.length > 0
    ? chosen.map((s) => ({ environment: environment.name, service: s.name }))
    : [{ environment: environment.name, service: null }];
}

/** The service's auto-rollback config when it lets `alarmName` (an alarm that maps to it) roll it back, else null. */
export function autoRollbackFor(service: ServiceSpec, alarmName: string): AutoRollbackSpec | null {
  const auto = service.autoRollback;
  if (!auto) return null;
  return !auto.alarms || auto.alarms.includes(alarmName) ? auto : null;
}

/** The actor an alarm acts as in rollbacks and the audit log. */
export function alarmActor(alarmName: string): string {
  return `alarm:${alarmName}`;
}

/** The alarm's name when `actor` is an alarm, else null. */
export function alarmOfActor(actor: string): string | null {
  return actor.startsWith('alarm:') && actor.length > 'alarm:'.length ? actor.slice('alarm:'.length) : null;
}
