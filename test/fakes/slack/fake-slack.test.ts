import { WebAPIPlatformError, WebAPIRateLimitedError, WebClient, WebClientEvent, type WebClientOptions } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack, MAX_MESSAGE_BLOCKS, type FakeSlackUrls } from './index.js';
import { silentLogger } from './silent-logger.js';

const CHANNEL = 'C0INCIDENTS';
const TS = /^\d{10}\.\d{6}$/;

const confirmBlocks = [
  { type: 'section', block_id: 'summary', text: { type: 'mrkdwn', text: '*ROLLBACK IN PROGRESS* production/api' } },
  {
    type: 'actions',
    block_id: 'prompt',
    elements: [
      { type: 'button', action_id: 'rollback_confirm', text: { type: 'plain_text', text: 'Confirm' }, value: 'rb-1', style: 'danger' },
    ],
  },
];

let fake: FakeSlack;
let urls: FakeSlackUrls;

beforeEach(async () => {
  fake = new FakeSlack();
  urls = await fake.start();
});

afterEach(() => fake.stop());

// Retries are off unless a test turns them on, so a failure shows at once instead of after backoff.
function client(options: WebClientOptions = {}, token = fake.botToken): WebClient {
  return new WebClient(token, { slackApiUrl: urls.apiUrl, logger: silentLogger, retryConfig: { retries: 0 }, ...options });
}

async function slackError(call: Promise<unknown>): Promise<string> {
  const error: unknown = await call.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof Error) || !('data' in error)) throw new Error(`expected a Slack platform error, got ${String(error)}`);
  return (error as WebAPIPlatformError).data.error;
}

describe('FakeSlack Web API', () => {
  it('answers auth.test with the bot identity', async () => {
    const result = await client().auth.test();
    expect(result).toMatchObject({ ok: true, user_id: fake.identity.botUserId, team_id: fake.identity.teamId, bot_id: fake.identity.botId });
  });

  it('posts, replies in a thread, updates, and links to messages', async () => {
    const slack = client();
    const top = await slack.chat.postMessage({ channel: CHANNEL, text: 'ROLLBACK IN PROGRESS', blocks: confirmBlocks });
    const reply = await slack.chat.postMessage({ channel: CHANNEL, thread_ts: top.ts!, text: 'api: 1/2 running' });
    await slack.chat.update({ channel: CHANNEL, ts: top.ts!, text: 'ROLLBACK COMPLETE' });

    expect(top.ts).toMatch(TS);
    expect(top.ts).toBe('1700000000.000100');
    expect(Number(reply.ts)).toBeGreaterThan(Number(top.ts));
    expect(top.message).toMatchObject({ text: 'ROLLBACK IN PROGRESS', user: fake.identity.botUserId, blocks: confirmBlocks });
    const [shown] = fake.messagesIn(CHANNEL);
    expect(fake.messagesIn(CHANNEL)).toHaveLength(1);
    // New text without blocks replaces the blocks, as chat.update documents.
    expect(shown).toMatchObject({ ts: top.ts, text: 'ROLLBACK COMPLETE', updates: 1 });
    expect(shown?.blocks).toBeUndefined();
    expect(fake.repliesIn(CHANNEL, top.ts!).map((m) => m.text)).toEqual(['api: 1/2 running']);

    const topLink = await slack.chat.getPermalink({ channel: CHANNEL, message_ts: top.ts! });
    const replyLink = await slack.chat.getPermalink({ channel: CHANNEL, message_ts: reply.ts! });
    expect(topLink.permalink).toBe(`https://fake-workspace.slack.com/archives/${CHANNEL}/p1700000000000100`);
    expect(replyLink.permalink).toContain(`?thread_ts=${top.ts}&cid=${CHANNEL}`);

    const posted = fake.callsTo('chat.postMessage')[0];
    expect(posted?.headers.authorization).toBe(`Bearer ${fake.botToken}`);
    expect(posted?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(posted?.params.blocks).toEqual(confirmBlocks);
    expect(fake.violations).toEqual([]);
  });

  it('keeps ephemeral messages per user', async () => {
    const sent = await client().chat.postEphemeral({ channel: CHANNEL, user: 'U0ALICE', text: 'Confirm?', blocks: confirmBlocks });
    expect(sent.message_ts).toMatch(TS);
    expect(fake.ephemeralsTo('U0ALICE')).toMatchObject([{ channel: CHANNEL, ts: sent.message_ts, blocks: confirmBlocks }]);
    expect(fake.ephemeralsTo('U0BOB')).toEqual([]);
    expect(await slackError(client().chat.getPermalink({ channel: CHANNEL, message_ts: sent.message_ts! }))).toBe('message_not_found');
  });

  it('refuses blocks the Block Kit schema rejects and records the violation', async () => {
    const badButton = { type: 'button', action_id: 'go', text: { type: 'plain_text', text: 'Go' }, style: 'urgent' };
    const blocks = [{ type: 'actions', elements: [badButton] }];
    expect(await slackError(client().chat.postMessage({ channel: CHANNEL, text: 'x', blocks }))).toBe('invalid_arguments');
    expect(fake.violations).toHaveLength(1);
    expect(fake.violations[0]?.problems.join('\n')).toContain('blocks[0]/elements/0/style');
    expect(fake.messagesIn(CHANNEL)).toEqual([]);
  });

  it("enforces Slack's message limits", async () => {
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
    const slack = client();
    const tooMany = Array.from({ length: MAX_MESSAGE_BLOCKS + 1 }, (_, i) => section(`line ${i}`));
    await slackError(slack.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: tooMany }));
    await slackError(slack.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [section('y'.repeat(3001))] }));
    await slackError(slack.chat.postMessage({ channel: CHANNEL, text: 'z'.repeat(40_001) }));
    await slackError(slack.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [{ type: 'divider', block_id: 'a' }, { type: 'divider', block_id: 'a' }] }));
    const problems = fake.violations.map((v) => v.problems.join(' '));
    expect(problems[0]).toContain('at most 50');
    expect(problems[1]).toContain('must NOT have more than 3000 characters');
    expect(problems[2]).toContain('the limit is 40000');
    expect(problems[3]).toContain('repeats block_id "a"');
  });

  it('refuses unknown and missing arguments, and a reply to a thread that does not exist', async () => {
    const slack = client();
    await slackError(slack.apiCall('chat.postMessage', { channel: CHANNEL, text: 'x', colour: 'red' }));
    await slackError(slack.apiCall('chat.postEphemeral', { channel: CHANNEL, text: 'x' }));
    await slackError(slack.apiCall('chat.postMessage', { channel: CHANNEL }));
    await slackError(slack.chat.postMessage({ channel: CHANNEL, text: 'x', thread_ts: '1600000000.000100' }));
    expect(fake.violations.map((v) => v.problems)).toEqual([
      ['unknown argument "colour" for chat.postMessage'],
      ['missing required argument "user"'],
      ['one of text, blocks, attachments, markdown_text is required'],
      [`thread_ts 1600000000.000100 is not a message in ${CHANNEL}`],
    ]);
  });

  it('accepts arguments Slack added after the spec snapshot', async () => {
    const metadata = { event_type: 'rollback_started', event_payload: { id: 'rb-1' } };
    await client().chat.postMessage({ channel: CHANNEL, text: 'x', metadata });
    expect(fake.violations).toEqual([]);
    expect(fake.messagesIn(CHANNEL)[0]?.metadata).toEqual(metadata);
  });

  it('accepts JSON bodies, as Slack does for callers other than the SDK', async () => {
    const response = await fetch(`${urls.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.botToken}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: CHANNEL, text: 'x', blocks: confirmBlocks }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: CHANNEL });
    expect(fake.messagesIn(CHANNEL)[0]?.blocks).toEqual(confirmBlocks);
  });

  it('answers unknown methods and bad tokens as Slack does', async () => {
    expect(await slackError(client().apiCall('chat.scheduleMessage', { channel: CHANNEL, text: 'x', post_at: 1 }))).toBe('unknown_method');
    expect(fake.callsTo('chat.scheduleMessage')).toHaveLength(1);
    expect(await slackError(client({}, 'xoxb-wrong').chat.postMessage({ channel: CHANNEL, text: 'x' }))).toBe('invalid_auth');
    const anonymous = new WebClient(undefined, { slackApiUrl: urls.apiUrl, logger: silentLogger, retryConfig: { retries: 0 } });
    expect(await slackError(anonymous.auth.test())).toBe('invalid_auth');
    expect(fake.callsTo('auth.test')[0]?.headers.authorization).toBeUndefined();
    expect(fake.messagesIn(CHANNEL)).toEqual([]);
  });
});

describe('FakeSlack fault injection', () => {
  it('rate-limits with Retry-After, which the client waits out and retries', async () => {
    fake.inject('chat.postMessage', { kind: 'rate_limited', retryAfterSeconds: 0 });
    const slack = client({ retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
    const waits: number[] = [];
    slack.on(WebClientEvent.RATE_LIMITED, (seconds: number) => waits.push(seconds));
    await slack.chat.postMessage({ channel: CHANNEL, text: 'x' });
    expect(waits).toEqual([0]);
    expect(fake.callsTo('chat.postMessage').map((c) => c.response?.status)).toEqual([429, 200]);
    expect(fake.messagesIn(CHANNEL)).toHaveLength(1);
  });

  it('sends the Retry-After it was given', async () => {
    fake.inject('chat.update', { kind: 'rate_limited', retryAfterSeconds: 30 });
    const error = await client({ rejectRateLimitedCalls: true })
      .chat.update({ channel: CHANNEL, ts: '1700000000.000100', text: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as WebAPIRateLimitedError).retryAfter).toBe(30);
  });

  it('fails with HTTP 503 for the next calls only', async () => {
    fake.inject('chat.postMessage', { kind: 'http_error', status: 503 }, 2);
    const slack = client({ retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
    await slack.chat.postMessage({ channel: CHANNEL, text: 'x' });
    expect(fake.callsTo('chat.postMessage').map((c) => c.response?.status)).toEqual([503, 503, 200]);
  });

  it('answers a Slack error code on demand', async () => {
    fake.inject('chat.postMessage', { kind: 'api_error', error: 'not_in_channel' });
    expect(await slackError(client().chat.postMessage({ channel: CHANNEL, text: 'x' }))).toBe('not_in_channel');
  });

  it('hangs until the client gives up', async () => {
    fake.inject('auth.test', { kind: 'hang' });
    await expect(client({ timeout: 100 }).auth.test()).rejects.toThrow();
    expect(fake.callsTo('auth.test')[0]?.response).toBeUndefined();
  });

  it('waits for a call that arrives later, and times out listing what arrived', async () => {
    const waiting = fake.waitFor((c) => c.method === 'chat.postMessage' && c.params.thread_ts !== undefined, 2_000);
    const slack = client();
    const top = await slack.chat.postMessage({ channel: CHANNEL, text: 'top' });
    void slack.chat.postMessage({ channel: CHANNEL, text: 'reply', thread_ts: top.ts! });
    expect((await waiting).params.text).toBe('reply');
    await expect(fake.waitFor((c) => c.method === 'chat.update', 30)).rejects.toThrow(/chat\.postMessage, chat\.postMessage/);
  });
});

describe('FakeSlack response URLs', () => {
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('records valid bodies and refuses invalid ones', async () => {
    const url = fake.responseUrl('confirm-1');
    expect(url).toBe(`${urls.baseUrl}response/confirm-1`);
    expect((await post(url, { replace_original: true, text: 'Confirmed', blocks: confirmBlocks })).status).toBe(200);
    expect((await post(url, { response_type: 'everyone', text: 'x' })).status).toBe(400);
    expect((await post(url, { text: 'x', blocks: [{ type: 'section' }] })).status).toBe(400);
    expect(fake.responsesTo('confirm-1')[0]).toMatchObject({ replace_original: true, text: 'Confirmed' });
    expect(fake.violations.map((v) => v.responseUrlName)).toEqual(['confirm-1', 'confirm-1']);
  });

  it('accepts five uses of a response URL, as Slack does', async () => {
    const url = fake.responseUrl('busy');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(url, { text: `update ${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
  });
});
