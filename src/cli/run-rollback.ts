import type { Engine } from '../composition/create-engine.js';
import type { Command } from '../domain/command.js';
import { isTerminal } from '../domain/rollback-state.js';
import type { RollbackRecord } from '../ports/store.js';
import type { RollbackEvent } from '../rollbacks/rollback-events.js';
import { formatDuration } from '../slack/render/messages.js';
import { ProgressDisplay, type ProgressOutput } from './progress.js';
import { dryRunText, heldByLines, lockText, planLines, resultLines } from './text.js';

/** Exit codes of the command line. */
export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 3 } as const;

/** Where the command line writes. */
export interface CliOutput {
  stdout: ProgressOutput;
  stderr: { write(text: string): unknown };
}

/** How long announcements and pages get to land after the rollback ended, before the process exits. */
const SETTLE_MS = 30_000;

/**
 * `rollback-bot rollback …`: the same request, policy, runner, announcements and paging as Slack,
 * with `--yes` for the confirmation button; waits for the end, showing progress, and returns the exit code.
 */
export async function runRollback(engine: Engine, command: Extract<Command, { kind: 'rollback' }>, actor: string, confirmed: boolean, io: CliOutput): Promise<number> {
  const say = (lines: string[]) => io.stdout.write(lines.map((l) => `${l}\n`).join(''));
  const complain = (lines: string[]) => io.stderr.write(lines.map((l) => `rollback-bot: ${l}\n`).join(''));
  // Subscribed before the request, since the runner may emit before the request returns the rollback's id.
  const seen: RollbackEvent[] = [];
  let deliver: (event: RollbackEvent) => void = (event) => seen.push(event);
  const unsubscribe = engine.events.subscribe((event) => deliver(event));
  try {
    const outcome = await engine.unattended.start({ command, actor, confirmed });
    switch (outcome.kind) {
      case 'needs-confirmation':
      case 'needs-second-person':
        complain([outcome.message, 'Nothing was changed.']);
        return EXIT.usage;
      case 'refused':
      case 'error':
        complain([outcome.message, 'Nothing was changed.']);
        return EXIT.failed;
      case 'locked':
        complain(['Not started: another rollback holds these services.', ...heldByLines(outcome.heldBy), 'Nothing was changed.']);
        return EXIT.failed;
      case 'dry-run':
        say(dryRunText(outcome.plan));
        return EXIT.ok;
      case 'nothing-to-do':
        say([`Nothing to do in ${outcome.plan.environment}: already on the target.`, ...planLines(outcome.plan)]);
        return EXIT.ok;
      case 'started':
        break;
    }
    const rollback = outcome.rollback;
    say([`Rolling back ${rollback.environment} as ${actor} (${rollback.id}):`, ...planLines(rollback.plan)]);
    const display = new ProgressDisplay(io.stdout, () => engine.clock.now(), rollback.startedAt?.getTime() ?? engine.clock.now(), rollback.plan.services.map((s) => s.service));
    deliver = (event) => {
      if (event.rollback.id === rollback.id) display.onEvent(event);
    };
    for (const event of seen.splice(0)) deliver(event);
    const ended = await waitForEnd(engine, rollback, () => say([`Another rollback-bot process carries ${rollback.id} now; waiting for its end.`]));
    const code = await report(engine, ended, say);
    // Announcements, the incident's resolution and the deploy freeze are event subscribers: let them land before exiting.
    await engine.settle(SETTLE_MS);
    const frozen = (await engine.locking.list(rollback.environment)).filter((l) => l.rollbackId === rollback.id);
    say(frozen.map((l) => `${l.service}: ${lockText(l)}; lift with: rollback-bot locks unlock ${l.environment} ${l.service}`));
    return code;
  } finally {
    unsubscribe();
  }
}

/**
 * Waits until the rollback is over, in the store, whoever carries it: usually this process's runner,
 * but a bot replica may have claimed it first or taken it over. This process claims it again whenever
 * nobody holds it, so the wait always ends.
 */
async function waitForEnd(engine: Engine, rollback: RollbackRecord, onElsewhere: () => void): Promise<RollbackRecord> {
  const pollMs = (engine.settings.catalog.environments[rollback.environment]?.tunables.pollSeconds ?? 5) * 1000;
  let told = false;
  for (;;) {
    engine.runner.start(rollback.id);
    await engine.runner.idle();
    const stored = await engine.store.getRollback(rollback.id);
    if (!stored || isTerminal(stored.state)) return stored ?? rollback;
    if (!told) onElsewhere();
    told = true;
    await engine.clock.sleep(pollMs);
  }
}

async function report(engine: Engine, rollback: RollbackRecord, say: (lines: string[]) => unknown): Promise<number> {
  const services = await engine.store.getServices(rollback.id);
  const verification = rollback.meta['verification'] as { verified?: unknown; problems?: unknown } | undefined;
  const problems = Array.isArray(verification?.problems) ? verification.problems.map(String) : [];
  const verified = rollback.state === 'succeeded' && verification?.verified !== false;
  const took = rollback.startedAt && rollback.finishedAt ? ` in ${formatDuration(rollback.finishedAt.getTime() - rollback.startedAt.getTime())}` : '';
  const head = verified ? 'ROLLBACK COMPLETE' : rollback.state === 'succeeded' ? 'ROLLBACK UNVERIFIED' : 'ROLLBACK FAILED';
  say([`${head}: ${rollback.environment} (${rollback.id})${took}`, ...resultLines(services), ...(verified ? [] : problems.map((p) => `  ! ${p}`))]);
  return verified ? EXIT.ok : EXIT.failed;
}
