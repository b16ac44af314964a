import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, verifySlackRequest, type BlockAction, type ButtonAction } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TEST_SIGNING_SECRET,
  buttonClick,
  sendToBot,
  signedRequest,
  slashCommand,
  type SlackRequest,
} from '../../support/slack-requests.js';
import { FakeSlack } from './index.js';
import { silentLogger } from './silent-logger.js';

const CHANNEL = 'C0INCIDENTS';
const FIVE_MINUTES_AND_A_SECOND = 301;

const promptBlocks = [
  { type: 'section', text: { type: 'mrkdwn', text: 'Roll *production/api* back to revision 41?' } },
  {
    type: 'actions',
    block_id: 'prompt',
    elements: [
      { type: 'button', action_id: 'rollback_confirm', text: { type: 'plain_text', text: 'Roll back' }, value: 'rb-7', style: 'danger' },
      { type: 'button', action_id: 'rollback_cancel', text: { type: 'plain_text', text: 'Cancel' }, value: 'rb-7' },
    ],
  },
];

function verifies(request: SlackRequest, signingSecret = TEST_SIGNING_SECRET): boolean {
  try {
    verifySlackRequest({
      signingSecret,
      body: request.body,
      headers: {
        'x-slack-signature': request.headers['x-slack-signature'] ?? '',
        'x-slack-request-timestamp': Number(request.headers['x-slack-request-timestamp']),
      },
    });
    return true;
  } catch {
    return false;
  }
}

describe('signed requests', () => {
  const command = (options = {}) => slashCommand({ text: 'production api', responseUrl: 'http://127.0.0.1:9/response/x' }, options);

  it("are accepted by Bolt's own verification", () => {
    expect(verifies(command())).toBe(true);
    expect(verifies(signedRequest('payload=%7B%7D'))).toBe(true);
  });

  it('can be forged: wrong secret, replayed, or unsigned', () => {
    expect(verifies(command({ signingSecret: 'not-the-secret' }))).toBe(false);
    const stale = Math.floor(Date.now() / 1000) - FIVE_MINUTES_AND_A_SECOND;
    expect(verifies(command({ timestampSeconds: stale }))).toBe(false);
    expect(command({ unsigned: true }).headers['x-slack-signature']).toBeUndefined();
  });

  it('carry the form fields Slack sends for a slash command', () => {
    const form = new URLSearchParams(command().body);
    expect(Object.fromEntries(form)).toMatchObject({
      command: '/rollback',
      text: 'production api',
      user_id: 'U0ALICE',
      channel_id: CHANNEL,
      team_id: 'T0FAKE0001',
      response_url: 'http://127.0.0.1:9/response/x',
    });
    expect(form.get('trigger_id')).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
  });
});

describe('a Bolt app between signed requests and the fake', () => {
  let fake: FakeSlack;
  let app: App;
  let eventsUrl: string;
  const seen: { retryNum?: number; clicks: BlockAction<ButtonAction>[] } = { clicks: [] };

  beforeEach(async () => {
    seen.clicks = [];
    fake = new FakeSlack();
    const { apiUrl } = await fake.start();
    app = new App({
      token: fake.botToken,
      signingSecret: TEST_SIGNING_SECRET,
      clientOptions: { slackApiUrl: apiUrl, retryConfig: { retries: 0 } },
      logger: silentLogger,
    });
    app.command('/rollback', async ({ command, ack, respond, client, context }) => {
      await ack();
      seen.retryNum = context.retryNum;
      await respond({ response_type: 'ephemeral', text: `Rolling back: ${command.text}` });
      await client.chat.postMessage({ channel: command.channel_id, text: 'Confirm the rollback', blocks: promptBlocks });
      await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text: 'Confirm', blocks: promptBlocks });
    });
    app.action<BlockAction<ButtonAction>>('rollback_confirm', async ({ ack, body, respond }) => {
      await ack();
      seen.clicks.push(body);
      await respond({ replace_original: true, text: 'Confirmed' });
    });
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    // Bolt checks its token with auth.test as soon as it is built, without waiting for it.
    await fake.waitFor((call) => call.method === 'auth.test' && call.response !== undefined);
  });

  afterEach(async () => {
    await app.stop();
    await fake.stop();
  });

  it('runs a command and a button click end to end', async () => {
    const commandUrl = fake.responseUrl('command');
    const headers = { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' };
    const answer = await sendToBot(eventsUrl, slashCommand({ text: 'production api', responseUrl: commandUrl }, { headers }));
    expect(answer.status).toBe(200);
    await fake.waitFor((call) => call.method === 'chat.postEphemeral');
    expect(seen.retryNum).toBe(1);
    expect(fake.responsesTo('command')).toEqual([{ response_type: 'ephemeral', text: 'Rolling back: production api' }]);

    const [prompt] = fake.messagesIn(CHANNEL);
    const clickUrl = fake.responseUrl('click');
    const click = buttonClick({ message: prompt!, actionId: 'rollback_confirm', responseUrl: clickUrl });
    expect((await sendToBot(eventsUrl, click)).status).toBe(200);
    await fake.waitFor((call) => call.responseUrlName === 'click');

    const [ephemeral] = fake.ephemeralsTo('U0ALICE');
    const ephemeralClick = buttonClick({ message: ephemeral!, actionId: 'rollback_confirm', ephemeral: true, responseUrl: clickUrl });
    expect((await sendToBot(eventsUrl, ephemeralClick)).status).toBe(200);
    await fake.waitFor(() => fake.responsesTo('click').length === 2);

    const [onMessage, onEphemeral] = seen.clicks;
    expect(onMessage?.actions[0]).toMatchObject({ action_id: 'rollback_confirm', block_id: 'prompt', value: 'rb-7', type: 'button' });
    expect(onMessage?.message?.ts).toBe(prompt?.ts);
    expect(onMessage?.container).toMatchObject({ type: 'message', message_ts: prompt?.ts, channel_id: CHANNEL, is_ephemeral: false });
    expect(onEphemeral?.message).toBeUndefined();
    expect(onEphemeral?.container).toMatchObject({ message_ts: ephemeral?.ts, is_ephemeral: true });
    expect(fake.violations).toEqual([]);
  });

  it('answers 401 to forged requests and acts on none of them', async () => {
    const request = (options = {}) => slashCommand({ text: 'production api', responseUrl: fake.responseUrl('forged') }, options);
    const stale = Math.floor(Date.now() / 1000) - FIVE_MINUTES_AND_A_SECOND;
    for (const forged of [request({ signingSecret: 'not-the-secret' }), request({ timestampSeconds: stale }), request({ unsigned: true })]) {
      expect((await sendToBot(eventsUrl, forged)).status).toBe(401);
    }
    expect(fake.calls.filter((call) => call.method !== 'auth.test')).toEqual([]);
  });

  it('refuses to click a button the message does not have', () => {
    const message = { ts: '1700000000.000100', blocks: promptBlocks };
    expect(() => buttonClick({ message, actionId: 'rollback_approve', responseUrl: fake.responseUrl('x') })).toThrow(/rollback_approve/);
  });
});
