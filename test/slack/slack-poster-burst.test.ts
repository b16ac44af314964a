import { WebClient } from '@slack/web-api';
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { SlackPoster } from '../../src/slack/slack-poster.js';
import { FakeSlack } from '../fakes/slack/index.js';
import { FakeClock } from '../support/fake-clock.js';

let slack: FakeSlack;
afterEach(async () => slack.stop());

it('folds progress queued in one turn into a single message, even in a channel that was idle', async () => {
  slack = new FakeSlack();
  const { apiUrl } = await slack.start();
  const clock = new FakeClock();
  clock.autoAdvance();
  const poster = new SlackPoster(new WebClient(slack.botToken, { slackApiUrl: apiUrl }), clock, createLogger('silent', []), 1000);
  const landed = await Promise.all([1, 2, 3, 4, 5].map((n) => poster.postMessage('C1', { text: `progress ${n}` }, { coalesceKey: 'progress:r1' })));
  clock.stopAutoAdvance();
  expect(slack.callsTo('chat.postMessage').map((c) => (c.params as { text: string }).text)).toEqual(['progress 5']);
  expect(new Set(landed.map((l) => l.ts)).size).toBe(1);
});
