/**
 * `npm run demo`: one protected `/rollback production all` from the first command to the completion
 * message, against the local simulators of ECS, CloudWatch, health URLs, PagerDuty and Slack. The clock
 * runs at real speed while people type and click and the bot answers them, and 30 times faster while
 * everyone waits (people reading, ECS rolling out, the verification window). Prints the Slack
 * conversation as the people in it saw it. Needs no credentials and no network.
 */
import { ScaledClock } from '../test/support/scaled-clock.js';
import { SlackUsers, USERS } from './bench/slack-users.js';
import { startWorld, type World } from './bench/world.js';
import { renderTranscript } from './demo/transcript.js';

const WAITING_SPEED = 30;
const START = Date.UTC(2026, 10, 23, 14, 2, 0);
const INCIDENTS = 'C0INCIDENTS';

async function main(): Promise<number> {
  const realStart = performance.now();
  const clock = new ScaledClock(1, START);
  const world = await startWorld({
    clock,
    pagerduty: true,
    environments: {
      production: {
        cluster: 'shieldai-production',
        protected: true,
        requesters: [USERS.alice.id, USERS.bob.id],
        approvers: [USERS.carol.id],
        services: {
          api: { ecsService: 'shieldai-production-api', stabilizeSeconds: 75, desiredCount: 3, healthPath: '/api/health', alarms: ['shieldai-production-alb-5xx'] },
          worker: { ecsService: 'shieldai-production-worker', stabilizeSeconds: 105, desiredCount: 2, healthPath: '/worker/health' },
          web: { ecsService: 'shieldai-production-web', stabilizeSeconds: 140, desiredCount: 4, healthPath: '/web/health' },
        },
      },
    },
  });
  try {
    const users = new SlackUsers(world.slack, world.botUrl, clock);
    await users.command(USERS.alice, 'production all checkout has been returning 500s since the 14:00 deploy');
    const prompt = await users.nextPrompt('rollback_confirm');
    await wait(clock, 8_000); // alice reads the plan
    await users.click(USERS.alice, prompt, 'rollback_confirm');
    const approval = await users.nextPrompt('rollback_approve');
    await wait(clock, 25_000); // carol reads it too
    await users.click(USERS.carol, approval, 'rollback_approve');
    await world.slack.waitFor((c) => c.method === 'chat.postMessage' && (c.params as { channel?: string }).channel === INCIDENTS, 10_000);
    clock.setSpeed(WAITING_SPEED);
    await finished(world);

    console.log(
      renderTranscript(users.actions, world.slack.calls, clock, {
        users: { U0ALICE: 'alice', U0BOB: 'bob', U0CAROL: 'carol', U0ROLLBOT1: 'rollback-bot' },
        channels: { C0OPS: 'ops', C0INCIDENTS: 'incidents' },
      }),
    );
    const incident = world.pagerduty.incidents[0];
    const updates = world.ecs.callsTo('UpdateService').length;
    const simulatedMinutes = (clock.now() - START) / 60_000;
    console.log(
      `\n— ${updates} UpdateService calls; PagerDuty incident ${incident ? incident.status : 'never opened'}; ` +
        `${simulatedMinutes.toFixed(1)} simulated minutes in ${((performance.now() - realStart) / 1000).toFixed(1)} s.`,
    );
    const violations = world.violations();
    if (violations.length > 0) {
      console.error(`The simulators refused ${violations.length} requests:\n${violations.join('\n')}`);
      return 1;
    }
    return 0;
  } catch (err) {
    console.error(world.logs.slice(-30).join(''));
    throw err;
  } finally {
    await world.stop();
  }
}

/** Lets `ms` of simulated time pass quickly, then goes back to real speed for what people do next. */
async function wait(clock: ScaledClock, ms: number): Promise<void> {
  clock.setSpeed(WAITING_SPEED);
  await clock.sleep(ms);
  clock.setSpeed(1);
}

/** Resolves once the rollback reported its end in the thread and every queued Slack message is sent. */
async function finished(world: World): Promise<void> {
  await world.slack.waitFor(
    (c) => c.method === 'chat.postMessage' && (c.params as { channel?: string }).channel === INCIDENTS && /ROLLBACK (COMPLETE|FAILED)/.test(String((c.params as { text?: string }).text)),
    50_000,
  );
  await world.bot.runner.idle();
  await world.bot.settled();
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
