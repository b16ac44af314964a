import { afterEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { SlackPoster } from '../../src/slack/slack-poster.js';
import { FakeSlack } from '../fakes/slack/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { createLogger } from '../../src/observability/logger.js';

const silent = createLogger('silent', []);
let slack: FakeSlack;
afterEach(async () => slack.stop());

/** A poster whose every Slack call is stamped with the fake clock's time on arrival. */
async function setup() {
  slack = new FakeSlack();
  const { apiUrl } = await slack.start();
  const clock = new FakeClock();
  const arrivals: { method: string; at: number; text: string }[] = [];
  const client = new WebClient(slack.botToken, { slackApiUrl: apiUrl, retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
  const stamped = new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (key !== 'chat') return value;
      return new Proxy(value as object, {
        get(chat, method) {
          const fn = Reflect.get(chat, method) as (args: { text?: string }) => Promise<unknown>;
          return (args: { text?: string }) => {
            arrivals.push({ method: String(method), at: clock.now(), text: args.text ?? '' });
            return fn.call(chat, args);
          };
        },
      });
    },
  });
  clock.autoAdvance();
  return { poster: new SlackPoster(stamped, clock, silent, 1000), arrivals, clock };
}

describe('SlackPoster', () => {
  it('sends at most one message per second to a channel, in order, while other channels go at once', async () => {
    const { poster, arrivals } = await setup();
    const sends = [1, 2, 3, 4, 5].map((n) => poster.postMessage('C1', { text: `m${n}` }));
    sends.push(poster.postMessage('C2', { text: 'other' }));
    await Promise.all(sends);
    const c1 = arrivals.filter((a) => a.text.startsWith('m'));
    expect(c1.map((a) => a.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    for (let i = 1; i < c1.length; i++) expect(c1[i]!.at - c1[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(arrivals.find((a) => a.text === 'other')!.at).toBe(c1[0]!.at);
    expect(slack.messagesIn('C1').map((m) => m.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('folds queued progress with the same key into the newest, and both callers learn where it landed', async () => {
    const { poster, arrivals } = await setup();
    const first = poster.postMessage('C1', { text: 'started' });
    const p1 = poster.postMessage('C1', { text: 'progress 1' }, { coalesceKey: 'progress:r1' });
    const p2 = poster.postMessage('C1', { text: 'progress 2' }, { coalesceKey: 'progress:r1' });
    const p3 = poster.postMessage('C1', { text: 'progress 3' }, { coalesceKey: 'progress:r1' });
    await first;
    const [a, b, c] = await Promise.all([p1, p2, p3]);
    expect(arrivals.map((x) => x.text)).toEqual(['started', 'progress 3']);
    expect(a).toEqual(c);
    expect(b).toEqual(c);
  });

  it('falls back to the response_url when Slack refuses an ephemeral message', async () => {
    const { poster } = await setup();
    slack.inject('chat.postEphemeral', { kind: 'api_error', error: 'channel_not_found' });
    const delivered = await poster.postEphemeral('D0DM', 'U0ALICE', { text: 'hello' }, slack.responseUrl('r1'));
    expect(delivered).toBe(true);
    expect(slack.responsesTo('r1')).toEqual([expect.objectContaining({ text: 'hello', response_type: 'ephemeral' })]);
  });
});
