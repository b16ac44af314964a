import { parseArgs } from 'node:util';
import { DEFAULT_HISTORY_LIMIT } from '../rollbacks/rollback-history.js';

/** The command line's usage, printed by `help` and after a usage error. */
export const CLI_USAGE = [
  'usage:',
  '  rollback-bot rollback <env> <service|all> [--to <revision|image-tag>] [--dry-run] [--yes] [--reason "<why>"] [--actor <name>]',
  '  rollback-bot status <env>',
  '  rollback-bot history <env> [service] [--limit <n>]',
  '  rollback-bot locks list <env>',
  '  rollback-bot locks check <env> <service>        exit 0 unlocked, 3 locked',
  '  rollback-bot locks lock <env> <service> [--reason "<why>"] [--actor <name>]',
  '  rollback-bot locks unlock <env> <service> [--actor <name>]',
  '  rollback-bot help',
  'A protected environment needs --yes and --reason; `all` there needs a second person: use Slack.',
  'Exit codes: 0 done (a rollback: every service rolled back and verified), 1 failed, unverified or refused,',
  '            2 usage or configuration error, 3 locked (locks check).',
].join('\n');

/** An invocation, understood as far as it can be without the config. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'rollback'; environment: string; service: string; to: string | null; dryRun: boolean; yes: boolean; reason: string; actor: string | null }
  | { kind: 'status'; environment: string }
  | { kind: 'history'; environment: string; service: string | null; limit: number }
  | { kind: 'locks-list'; environment: string }
  | { kind: 'locks-check'; environment: string; service: string }
  | { kind: 'locks-lock'; environment: string; service: string; reason: string; actor: string | null }
  | { kind: 'locks-unlock'; environment: string; service: string; actor: string | null };

/** Parses argv (without `node` and the script); a usage problem comes back as its message. */
export function parseCliArgs(argv: string[]): { ok: true; command: CliCommand } | { ok: false; problem: string } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    // node:util's parseArgs reports unknown options and missing values as TypeErrors with a readable message.
    if (err instanceof TypeError) return { ok: false, problem: err.message };
    throw err;
  }
  const { values, positionals } = parsed;
  const [verb, ...rest] = positionals;
  if (values.help || verb === undefined || verb === 'help') return { ok: true, command: { kind: 'help' } };
  // Names and targets become words of the slash grammar: a space would smuggle in more words.
  const blank = [...positionals, ...(values.to !== undefined ? [values.to] : [])].find((p) => p.trim() === '' || /\s/.test(p));
  if (blank !== undefined) return { ok: false, problem: `${JSON.stringify(blank.slice(0, 80))}: names, revisions and tags contain no spaces (--to takes one).` };
  const allowed = (...options: (keyof typeof values)[]) => {
    const extra = (Object.keys(values) as (keyof typeof values)[]).filter((o) => !options.includes(o));
    return extra.length > 0 ? `\`${verb}\` takes no ${extra.map((o) => `--${o}`).join(', ')}.` : null;
  };
  const count = (min: number, max: number, shape: string) =>
    rest.length < min || rest.length > max ? `\`${verb}\` needs ${shape}, got ${rest.length === 0 ? 'nothing' : rest.join(' ')}.` : null;
  const problemOr = (problem: string | null, command: () => CliCommand) => (problem ? { ok: false as const, problem } : { ok: true as const, command: command() });
  const actor = values.actor ?? null;

  switch (verb) {
    case 'rollback':
      return problemOr(count(2, 2, '<env> <service|all>') ?? allowed('to', 'dry-run', 'yes', 'reason', 'actor'), () => ({
        kind: 'rollback',
        environment: rest[0]!,
        service: rest[1]!,
        to: values.to ?? null,
        dryRun: values['dry-run'] ?? false,
        yes: values.yes ?? false,
        reason: values.reason ?? '',
        actor,
      }));
    case 'status':
      return problemOr(count(1, 1, '<env>') ?? allowed(), () => ({ kind: 'status', environment: rest[0]! }));
    case 'history': {
      const limit = values.limit === undefined ? DEFAULT_HISTORY_LIMIT : Number(values.limit);
      const bad = !Number.isInteger(limit) || limit < 1 || limit > 100 ? '--limit must be a whole number from 1 to 100.' : null;
      return problemOr(count(1, 2, '<env> [service]') ?? allowed('limit') ?? bad, () => ({ kind: 'history', environment: rest[0]!, service: rest[1] ?? null, limit }));
    }
    case 'locks':
      return parseLocks(rest, values.reason, actor, allowed);
    default:
      return { ok: false, problem: `Unknown command \`${verb.slice(0, 40)}\`.` };
  }
}

function parseLocks(
  words: string[],
  reason: string | undefined,
  actor: string | null,
  allowed: (...options: ('reason' | 'actor')[]) => string | null,
): { ok: true; command: CliCommand } | { ok: false; problem: string } {
  const [sub, environment, service, ...extra] = words;
  const needs = (withService: boolean) =>
    environment === undefined || (withService && service === undefined) || extra.length > 0 || (!withService && service !== undefined)
      ? `\`locks ${sub}\` needs <env>${withService ? ' <service>' : ''}.`
      : null;
  const fail = (problem: string) => ({ ok: false as const, problem });
  switch (sub) {
    case 'list': {
      const problem = needs(false) ?? allowed();
      return problem ? fail(problem) : { ok: true, command: { kind: 'locks-list', environment: environment! } };
    }
    case 'check': {
      const problem = needs(true) ?? allowed();
      return problem ? fail(problem) : { ok: true, command: { kind: 'locks-check', environment: environment!, service: service! } };
    }
    case 'lock': {
      const problem = needs(true) ?? allowed('reason', 'actor');
      return problem ? fail(problem) : { ok: true, command: { kind: 'locks-lock', environment: environment!, service: service!, reason: reason ?? '', actor } };
    }
    case 'unlock': {
      const problem = needs(true) ?? allowed('actor');
      return problem ? fail(problem) : { ok: true, command: { kind: 'locks-unlock', environment: environment!, service: service!, actor } };
    }
    default:
      return fail('`locks` needs list, check, lock or unlock.');
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      to: { type: 'string' },
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      reason: { type: 'string' },
      actor: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
