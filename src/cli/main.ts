import { createEngine, type Engine, type EngineOverrides } from '../composition/create-engine.js';
import { loadSettings, StartupError, type Settings } from '../composition/load-settings.js';
import { parseCommand, type Command, type UsageProblem } from '../domain/command.js';
import { CLI_USAGE, parseCliArgs, type CliCommand } from './cli-args.js';
import { EXIT, runRollback, type CliOutput } from './run-rollback.js';
import { historyText, lockText, statusText, utc } from './text.js';

/** Seams for tests; the entry point passes none. */
export interface CliOverrides extends EngineOverrides {
  templatesDir?: string;
}

/**
 * The `rollback-bot` command line: the same settings, engine, store, announcements and paging as the
 * Slack bot, without a Slack receiver. Returns the exit code (see CLI_USAGE).
 */
export async function main(argv: string[], env: Record<string, string | undefined>, io: CliOutput, overrides: CliOverrides = {}): Promise<number> {
  const complain = (lines: string[]) => io.stderr.write(lines.map((l) => `rollback-bot: ${l}\n`).join(''));
  const parsed = parseCliArgs(argv);
  if (!parsed.ok) {
    complain([parsed.problem]);
    io.stderr.write(`${CLI_USAGE}\n`);
    return EXIT.usage;
  }
  const cli = parsed.command;
  if (cli.kind === 'help') {
    io.stdout.write(`${CLI_USAGE}\n`);
    return EXIT.ok;
  }
  const actor = actorOf(cli, env);
  if (actor !== null && !actor.ok) {
    complain([actor.problem]);
    return EXIT.usage;
  }

  let settings: Settings;
  try {
    // A terminal wants the answer, not the engine's info lines; LOG_LEVEL still wins when set.
    settings = await loadSettings({ LOG_LEVEL: 'warn', ...definedOnly(env) }, overrides.templatesDir, { receivesSlack: false });
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    complain(err.lines);
    return err.exitCode;
  }
  const understood = understand(cli, settings);
  if (!understood.ok) {
    complain([`${understood.error.problem} ${understood.error.hint}`]);
    return EXIT.usage;
  }

  let engine: Engine;
  try {
    engine = await createEngine(settings, { logDestination: io.stderr, ...overrides });
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    complain(err.lines);
    return err.exitCode;
  }
  try {
    return await run(engine, understood.job, actor?.name ?? '', io);
  } finally {
    await engine.close();
  }
}

/** An invocation checked against the config, with names as the config spells them. */
type Job =
  | { kind: 'rollback'; command: Extract<Command, { kind: 'rollback' }>; confirmed: boolean }
  | Extract<Command, { kind: 'status' | 'lock' | 'unlock' }>
  | (Extract<Command, { kind: 'history' }> & { limit: number })
  | { kind: 'locks-list'; environment: string }
  | { kind: 'locks-check'; environment: string; service: string };

async function run(engine: Engine, job: Job, actor: string, io: CliOutput): Promise<number> {
  const say = (lines: string[]) => io.stdout.write(lines.map((l) => `${l}\n`).join(''));
  const complain = (lines: string[]) => io.stderr.write(lines.map((l) => `rollback-bot: ${l}\n`).join(''));
  switch (job.kind) {
    case 'rollback':
      return runRollback(engine, job.command, actor, job.confirmed, io);
    case 'status': {
      const outcome = await engine.statusReporter.report(job.environment);
      if (outcome.kind === 'error') {
        complain([outcome.message]);
        return EXIT.failed;
      }
      say(statusText(outcome.status));
      return EXIT.ok;
    }
    case 'history':
      say(historyText(await engine.history.list(job.environment, job.service, job.limit)));
      return EXIT.ok;
    case 'lock': {
      const outcome = await engine.locking.lock(job.environment, job.service, actor, job.reason);
      if (outcome.kind === 'refused') {
        complain([outcome.message, 'Nothing was changed.']);
        return EXIT.failed;
      }
      say([`${job.environment}/${job.service}: ${lockText(outcome.lock)}`]);
      return EXIT.ok;
    }
    case 'unlock': {
      const outcome = await engine.locking.unlock(job.environment, job.service, actor);
      if (outcome.kind === 'refused') {
        complain([outcome.message, 'Nothing was changed.']);
        return EXIT.failed;
      }
      say([outcome.kind === 'not-locked' ? `${job.environment}/${job.service} was not locked.` : `${job.environment}/${job.service}: unlocked (was ${lockText(outcome.lock)})`]);
      return EXIT.ok;
    }
    case 'locks-check': {
      const check = await engine.locking.check(job.environment, job.service);
      if (check.kind === 'unknown') {
        complain([check.message]);
        return EXIT.usage;
      }
      say([check.lock ? `locked: ${job.environment}/${job.service} ${lockText(check.lock)}` : `unlocked: ${job.environment}/${job.service}`]);
      return check.lock ? EXIT.locked : EXIT.ok;
    }
    case 'locks-list': {
      const locks = await engine.locking.list(job.environment);
      say(locks.length === 0 ? [`No deploy locks in ${job.environment} at ${utc(new Date(engine.clock.now()))}.`] : locks.map((l) => `${l.service}: ${lockText(l)}`));
      return EXIT.ok;
    }
  }
}

/**
 * Checks names against the config with the slash command's own grammar, so both front ends accept
 * and refuse the same names with the same hints (and a typo in `locks check` is a usage error, never "unlocked").
 */
function understand(cli: Exclude<CliCommand, { kind: 'help' }>, settings: Settings): { ok: true; job: Job } | { ok: false; error: UsageProblem } {
  const grammar = (words: string[]) => parseCommand(words.join(' '), settings.catalog);
  const then = (words: string[], job: (command: Command) => Job | null): { ok: true; job: Job } | { ok: false; error: UsageProblem } => {
    const parsed = grammar(words);
    if (!parsed.ok) return parsed;
    const made = job(parsed.command);
    return made ? { ok: true, job: made } : { ok: false, error: { code: 'unknown_command', problem: `Not understood: ${words.join(' ')}.`, hint: 'Run `rollback-bot help`.' } };
  };
  switch (cli.kind) {
    case 'rollback':
      return then([cli.environment, cli.service, ...(cli.to !== null ? ['to', cli.to] : [])], (c) =>
        c.kind === 'rollback' && c.reason === '' && !c.dryRun ? { kind: 'rollback', command: { ...c, dryRun: cli.dryRun, reason: cli.reason.trim() }, confirmed: cli.yes } : null,
      );
    case 'status':
      return then(['status', cli.environment], (c) => (c.kind === 'status' ? c : null));
    case 'history':
      return then(['history', cli.environment, ...(cli.service !== null ? [cli.service] : [])], (c) => (c.kind === 'history' ? { ...c, limit: cli.limit } : null));
    case 'locks-lock':
      return then(['lock', cli.environment, cli.service], (c) => (c.kind === 'lock' ? { ...c, reason: cli.reason.trim() } : null));
    case 'locks-unlock':
      return then(['unlock', cli.environment, cli.service], (c) => (c.kind === 'unlock' ? c : null));
    case 'locks-check':
      return then(['unlock', cli.environment, cli.service], (c) => (c.kind === 'unlock' ? { kind: 'locks-check', environment: c.environment, service: c.service } : null));
    case 'locks-list':
      return then(['status', cli.environment], (c) => (c.kind === 'status' ? { kind: 'locks-list', environment: c.environment } : null));
  }
}

/** `cli:<--actor or $USER>` for commands that act; null for those that only read. */
function actorOf(cli: Exclude<CliCommand, { kind: 'help' }>, env: Record<string, string | undefined>): { ok: true; name: string } | { ok: false; problem: string } | null {
  if (cli.kind !== 'rollback' && cli.kind !== 'locks-lock' && cli.kind !== 'locks-unlock') return null;
  const name = cli.actor ?? env['USER'] ?? env['LOGNAME'];
  if (name === undefined || name.trim() === '') return { ok: false, problem: 'Who is acting? Pass --actor <name> (or set USER).' };
  if (!/^[A-Za-z0-9._@+-]{1,64}$/.test(name)) return { ok: false, problem: `--actor ${JSON.stringify(name.slice(0, 70))}: letters, digits and . _ @ + - only (at most 64).` };
  return { ok: true, name: `cli:${name}` };
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
