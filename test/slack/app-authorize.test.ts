import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { FakeSlack } from '../fakes/slack/index.js';
import { sendToBot, slashCommand, TEST_SIGNING_SECRET } from '../support/slack-requests.js';

let slack: FakeSlack;
let bolt: SlackApp;
afterEach(async () => {
  await bolt.stop();
  await slack.stop();
});

async function start(): Promise<string> {
  slack = new FakeSlack();
  const { apiUrl } = await slack.start();
  bolt = createSlackApp({ botToken: slack.botToken, signingSecret: TEST_SIGNING_SECRET, appToken: undefined, apiUrl }, 0, [], createLogger('silent', []));
  bolt.app.command('/rollback', async ({ ack }) => ack());
  return `http://127.0.0.1:${await bolt.start()}/slack/events`;
}

const command = () => slashCommand({ text: 'help', responseUrl: slack.responseUrl('cmd') });

it('asks Slack who the bot is once, not before every request it acks', async () => {
  const url = await start();
  const answers = await Promise.all(Array.from({ length: 5 }, () => sendToBot(url, command())));
  answers.push(await sendToBot(url, command()));
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
  expect(slack.callsTo('auth.test')).toHaveLength(1);
});

it('acks even when auth.test fails, and asks again next time instead of keeping the failure', async () => {
  const url = await start();
  slack.inject('auth.test', { kind: 'api_error', error: 'invalid_auth' });
  expect((await sendToBot(url, command())).status).toBe(200);
  expect((await sendToBot(url, command())).status).toBe(200);
  expect((await sendToBot(url, command())).status).toBe(200);
  expect(slack.callsTo('auth.test')).toHaveLength(2);
});
