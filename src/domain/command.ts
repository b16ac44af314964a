import { findEnvironment, type Catalog, type EnvironmentSpec } from './catalog.js';
import { decodeSlackEntities, didYouMean, display, isOption, normalizeOption, tokenize } from './command-words.js';

/** What `to …` asked for. */
export type RollbackTarget = { kind: 'revision'; revision: number } | { kind: 'image-tag'; tag: string };

/** A `/rollback` command, fully understood. */
export type Command =
  | { kind: 'help' }
  | {
      kind: 'rollback';
      environment: string;
      /** The short service names; every configured one when `all` was typed. */
      services: string[];
      allServices: boolean;
      target: RollbackTarget | null;
      dryRun: boolean;
      /** Exactly as typed (after Slack's entity encoding is undone); empty when none was given. */
      reason: string;
    }
  | { kind: 'status'; environment: string }
  | { kind: 'history'; environment: string; service: string | null }
  /** Freezes deploys of one service by hand; `reason` is empty when none was given. */
  | { kind: 'lock'; environment: string; service: string; reason: string }
  | { kind: 'unlock'; environment: string; service: string }
  | { kind: 'db'; environment: string; database: string; target: string; reason: string }
  /** Lists a database's recent snapshots and its point-in-time window. */
  | { kind: 'db-snapshots'; environment: string; database: string }
  /** Takes a manual snapshot of a database; `reason` is empty when none was given. */
  | { kind: 'snapshot'; environment: string; database: string; reason: string };

/** Why a command was not understood, and what would be right. */
export interface UsageProblem {
  code:
    | 'unknown_command'
    | 'unknown_environment'
    | 'unknown_service'
    | 'unknown_database'
    | 'missing_argument'
    | 'invalid_target'
    | 'unknown_option';
  /** What was wrong, e.g. "Unknown environment `prod`." */
  problem: string;
  /** What would be right, e.g. "Environments: production, staging." */
  hint: string;
}

export type ParseResult = { ok: true; command: Command } | { ok: false; error: UsageProblem };

/** The grammar, for help and usage answers. */
export const USAGE_LINES = [
  '/rollback <env> <service|all> [to <revision|image-tag>] [--dry-run] [reason…]',
  '/rollback db <env> <database> to <ISO-8601 time | snapshot:<snapshot-id>> [reason…]',
  '/rollback db <env> <database> snapshots',
  '/rollback snapshot <env> <database> [reason…]',
  '/rollback status <env>',
  '/rollback history <env> [service]',
  '/rollback lock <env> <service> [reason…]',
  '/rollback unlock <env> <service>',
  '/rollback help',
] as const;

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const KNOWN_OPTIONS = ['--dry-run'];

/** Parses the text after `/rollback` against the configured environments and services. */
export function parseCommand(rawText: string, catalog: Catalog): ParseResult {
  const words = tokenize(decodeSlackEntities(rawText));
  const first = words[0]?.toLowerCase();
  if (first === undefined || first === 'help' || first === '-h' || first === '--help') return ok({ kind: 'help' });
  if (first === 'status') return parseStatus(words.slice(1), catalog);
  if (first === 'history') return parseHistory(words.slice(1), catalog);
  if (first === 'lock' || first === 'unlock') return parseLock(first, words.slice(1), catalog);
  if (first === 'db') return parseDb(words.slice(1), catalog);
  if (first === 'snapshot') return parseSnapshot(words.slice(1), catalog);
  return parseRollback(words, catalog);
}

function parseRollback(words: string[], catalog: Catalog): ParseResult {
  const env = lookupEnvironment(words[0], catalog);
  if (!env.ok) return env;
  const environment = env.value;
  const serviceWord = words[1];
  if (serviceWord === undefined || isOption(serviceWord)) {
    return fail('missing_argument', `Which service in ${environment.name}?`, servicesHint(environment));
  }
  const allServices = serviceWord.toLowerCase() === 'all';
  const serviceName = serviceWord.toLowerCase();
  if (!allServices && !environment.services[serviceName]) {
    return fail(
      'unknown_service',
      `Unknown service \`${display(serviceWord)}\` in ${environment.name}.${didYouMean(serviceName, Object.keys(environment.services))}`,
      servicesHint(environment),
    );
  }

  let dryRun = false;
  let target: RollbackTarget | null = null;
  const reasonWords: string[] = [];
  let index = 2;
  for (; index < words.length; index++) {
    const word = words[index]!;
    if (isOption(word)) {
      const option = normalizeOption(word);
      if (option !== '--dry-run') {
        return fail('unknown_option', `Unknown option \`${display(word)}\`.`, `Options: ${KNOWN_OPTIONS.join(', ')}.`);
      }
      dryRun = true;
      continue;
    }
    if (word.toLowerCase() === 'to' && target === null && reasonWords.length === 0) {
      const value = words[index + 1];
      if (value === undefined || isOption(value)) {
        return fail('missing_argument', '`to` needs a revision number or an image tag.', 'For example: `to 14` or `to v1.2.3`.');
      }
      const parsed = parseTarget(value);
      if (!parsed) {
        return fail(
          'invalid_target',
          `\`${display(value)}\` is neither a revision number nor an image tag.`,
          'A revision is a whole number such as `14`; an image tag looks like `v1.2.3` (letters, digits, `.`, `_`, `-`).',
        );
      }
      if (parsed.kind === 'revision' && allServices) {
        return fail(
          'invalid_target',
          'A revision number names one service’s task definition, so it cannot apply to `all`.',
          `Name one service (${Object.keys(environment.services).join(', ')}), or use an image tag.`,
        );
      }
      target = parsed;
      index++;
      continue;
    }
    reasonWords.push(word);
  }
  return ok({
    kind: 'rollback',
    environment: environment.name,
    services: allServices ? Object.keys(environment.services) : [serviceName],
    allServices,
    target,
    dryRun,
    reason: reasonWords.join(' '),
  });
}

function parseStatus(words: string[], catalog: Catalog): ParseResult {
  const env = lookupEnvironment(words[0], catalog);
  if (!env.ok) return env;
  if (words.length > 1) return unexpected(words[1]!, '/rollback status <env>');
  return ok({ kind: 'status', environment: env.value.name });
}

function parseHistory(words: string[], catalog: Catalog): ParseResult {
  const env = lookupEnvironment(words[0], catalog);
  if (!env.ok) return env;
  const serviceWord = words[1]?.toLowerCase();
  if (serviceWord !== undefined && !env.value.services[serviceWord]) {
    return fail(
      'unknown_service',
      `Unknown service \`${display(words[1]!)}\` in ${env.value.name}.${didYouMean(serviceWord, Object.keys(env.value.services))}`,
      `Services: ${Object.keys(env.value.services).join(', ')}.`,
    );
  }
  if (words.length > 2) return unexpected(words[2]!, '/rollback history <env> [service]');
  return ok({ kind: 'history', environment: env.value.name, service: serviceWord ?? null });
}

function parseLock(verb: 'lock' | 'unlock', words: string[], catalog: Catalog): ParseResult {
  const usage = verb === 'lock' ? '/rollback lock <env> <service> [reason…]' : '/rollback unlock <env> <service>';
  const env = lookupEnvironment(words[0], catalog);
  if (!env.ok) return env;
  const services = Object.keys(env.value.services);
  const serviceWord = words[1]?.toLowerCase();
  if (serviceWord === undefined) return fail('missing_argument', `Which service in ${env.value.name}?`, `Services: ${services.join(', ')}. Usage: \`${usage}\``);
  if (!Object.hasOwn(env.value.services, serviceWord)) {
    return fail(
      'unknown_service',
      `Unknown service \`${display(words[1]!)}\` in ${env.value.name}.${didYouMean(serviceWord, services)}`,
      `Services: ${services.join(', ')}. A lock is per service.`,
    );
  }
  if (verb === 'unlock') {
    if (words.length > 2) return unexpected(words[2]!, usage);
    return ok({ kind: 'unlock', environment: env.value.name, service: serviceWord });
  }
  return ok({ kind: 'lock', environment: env.value.name, service: serviceWord, reason: words.slice(2).join(' ') });
}

function parseDb(words: string[], catalog: Catalog): ParseResult {
  const usage = '/rollback db <env> <database> to <ISO-8601 time | snapshot:<snapshot-id>> [reason…]';
  const db = lookupDatabase(words, catalog, usage);
  if (!db.ok) return db;
  const { environment, database: dbWord } = db.value;
  if (words[2]?.toLowerCase() === 'snapshots') {
    if (words.length > 3) return unexpected(words[3]!, '/rollback db <env> <database> snapshots');
    return ok({ kind: 'db-snapshots', environment, database: dbWord });
  }
  if (words[2]?.toLowerCase() !== 'to' || words[3] === undefined) {
    return fail('missing_argument', 'A database rollback needs `to <time>` or `to snapshot:<id>`.', `Usage: \`${usage}\``);
  }
  const targetWord = words[3];
  const isSnapshot = /^snapshot:[A-Za-z][A-Za-z0-9:-]{0,254}$/.test(targetWord);
  const isTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(targetWord) && !Number.isNaN(Date.parse(targetWord));
  if (!isSnapshot && !isTime) {
    return fail(
      'invalid_target',
      `\`${display(targetWord)}\` is neither an ISO-8601 time with a zone nor \`snapshot:<id>\`.`,
      'For example: `to 2026-11-22T02:30:00Z` or `to snapshot:rds:shieldai-production-db-2026-11-22-02-00`.',
    );
  }
  return ok({ kind: 'db', environment, database: dbWord, target: targetWord, reason: words.slice(4).join(' ') });
}

function parseSnapshot(words: string[], catalog: Catalog): ParseResult {
  const db = lookupDatabase(words, catalog, '/rollback snapshot <env> <database> [reason…]');
  if (!db.ok) return db;
  return ok({ kind: 'snapshot', ...db.value, reason: words.slice(2).join(' ') });
}

/** `<env> <database>`, the first two words of every database command. */
function lookupDatabase(words: string[], catalog: Catalog, usage: string): { ok: true; value: { environment: string; database: string } } | { ok: false; error: UsageProblem } {
  const env = lookupEnvironment(words[0], catalog);
  if (!env.ok) return env;
  const databases = Object.keys(env.value.databases);
  const dbWord = words[1]?.toLowerCase();
  if (dbWord === undefined) {
    return fail('missing_argument', `Which database in ${env.value.name}?`, databasesHint(databases, usage));
  }
  if (!Object.hasOwn(env.value.databases, dbWord)) {
    return fail(
      'unknown_database',
      `Unknown database \`${display(words[1]!)}\` in ${env.value.name}.${didYouMean(dbWord, databases)}`,
      databasesHint(databases, usage),
    );
  }
  return { ok: true, value: { environment: env.value.name, database: dbWord } };
}

function lookupEnvironment(word: string | undefined, catalog: Catalog): { ok: true; value: EnvironmentSpec } | { ok: false; error: UsageProblem } {
  const names = Object.keys(catalog.environments);
  if (word === undefined) return fail('missing_argument', 'Which environment?', `Environments: ${names.join(', ')}.`);
  const environment = findEnvironment(catalog, word);
  if (environment) return { ok: true, value: environment };
  const knownCommand = /^[a-z-]+$/i.test(word) && word.length <= 20;
  return fail(
    knownCommand ? 'unknown_environment' : 'unknown_command',
    `Unknown environment \`${display(word)}\`.${didYouMean(word.toLowerCase(), names)}`,
    `Environments: ${names.join(', ')}. Type \`/rollback help\` for every command.`,
  );
}

function unexpected(word: string, usage: string): ParseResult {
  return fail('unknown_command', `Unexpected \`${display(word)}\`.`, `Usage: \`${usage}\``);
}

function parseTarget(value: string): RollbackTarget | null {
  if (/^\d{1,9}$/.test(value)) {
    const revision = Number(value);
    return revision >= 1 ? { kind: 'revision', revision } : null;
  }
  return IMAGE_TAG.test(value) ? { kind: 'image-tag', tag: value } : null;
}

function servicesHint(environment: EnvironmentSpec): string {
  return `Services in ${environment.name}: ${Object.keys(environment.services).join(', ')}, or \`all\`.`;
}

function databasesHint(databases: string[], usage: string): string {
  return databases.length > 0 ? `Databases: ${databases.join(', ')}.` : `No databases are configured there. Usage: \`${usage}\``;
}

function ok(command: Command): ParseResult {
  return { ok: true, command };
}

function fail(code: UsageProblem['code'], problem: string, hint: string): { ok: false; error: UsageProblem } {
  return { ok: false, error: { code, problem, hint } };
}
