import { beforeAll, describe, expect, it } from 'vitest';
import { loadBlockKitValidator, type BlockKitValidator } from '../../../src/slack/render/block-kit-validator.js';
import { escapeUserText } from '../../../src/slack/render/mrkdwn.js';
import { TEMPLATE_SAMPLES } from '../../../src/slack/render/template-samples.js';
import type { ServiceChangeView } from '../../../src/slack/render/template-views.js';
import { loadTemplates, type MessageTemplates } from '../../../src/slack/render/templates.js';
import { checkBlocks } from '../../fakes/slack/block-kit.js';
import { allStrings, templatesDir } from './support.js';

let templates: MessageTemplates;
let validator: BlockKitValidator;

beforeAll(async () => {
  templates = await loadTemplates(templatesDir);
  validator = await loadBlockKitValidator();
});

const STARTED = TEMPLATE_SAMPLES['rollback-started']['in-progress'];
const PROGRESS = TEMPLATE_SAMPLES['rollback-progress']['rolling-back'];
const ANNOUNCEMENT = TEMPLATE_SAMPLES['incident-announcement']['two-services'];

function service(i: number): ServiceChangeView {
  const name = `shieldai-production-svc-${i}`;
  return { service: `svc-${i}`, ecsService: name, from: `${name}:14`, to: `${name}:13`, fromImages: 'v1.0.14', toImages: 'v1.0.13', action: 'update the service' };
}

describe("Slack's limits", () => {
  it('splits a section of 5000 characters into several, at line ends, keeping every character', () => {
    const note = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}`).join(' ') + '\n' + 'y'.repeat(1000);
    const worker = { service: 'worker', rolloutState: 'IN_PROGRESS', runningCount: 1, desiredCount: 2, pendingCount: 1, failedTasks: 0, health: null, alarms: [], metric: null };
    const long = { ...PROGRESS, services: [{ ...worker, note }] };
    const message = templates.render('rollback-progress', long);
    const sections = (message.blocks ?? []).filter((b) => b.type === 'section').map((b) => (b as { text: { text: string } }).text.text);
    expect(sections.join('')).toContain(note.replace('\n', ''));
    expect(sections.length).toBeGreaterThan(1);
    expect(Math.max(...sections.map((s) => s.length))).toBeLessThanOrEqual(3000);
    expect(validator.check(message.blocks ?? [])).toEqual([]);
  });

  it('cuts a header over 150 characters', () => {
    const message = templates.render('rollback-started', { ...STARTED, environment: 'e'.repeat(200) });
    const header = message.blocks?.[0];
    expect(header?.type).toBe('header');
    const text = (header as { text: { text: string } }).text.text;
    expect([...text]).toHaveLength(150);
    expect(text.endsWith('…')).toBe(true);
    expect(validator.check(message.blocks ?? [])).toEqual([]);
  });

  it('cuts a button text over 75 characters and a confirm text over 300', () => {
    const name = 's'.repeat(120);
    const message = templates.render('incident-announcement', { ...ANNOUNCEMENT, services: [{ service: name, latestDeployment: 'no recent deployment found', offerValue: 'x' }] });
    expect(validator.check(message.blocks ?? [])).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain(`"Roll back ${'s'.repeat(64)}…"`);
  });

  it('keeps 60 services within 50 blocks: the header, facts and footer stay, the rest is counted', () => {
    const services = Array.from({ length: 60 }, (_, i) => service(i));
    const message = templates.render('rollback-started', { ...STARTED, services, serviceCount: 60 });
    const blocks = message.blocks ?? [];
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks[0]?.type).toBe('header');
    const strings = allStrings(blocks).join('\n');
    expect(strings).toContain('*svc-0*');
    expect(strings).not.toContain('*svc-59*');
    expect(strings).toContain('*Severity*');
    expect(strings).toContain('Rollback `rb-');
    expect(blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '_15 more blocks left out: a Slack message holds at most 50._' }] });
    expect(message.text).toContain('svc-59');
    expect(validator.check(blocks)).toEqual([]);
    expect(checkBlocks(blocks)).toEqual([]);
  });

  it('keeps 60 buttons within 50 blocks', () => {
    const services = Array.from({ length: 60 }, (_, i) => ({ service: `svc-${i}`, latestDeployment: 'no recent deployment found', offerValue: `{"service":"svc-${i}"}` }));
    const blocks = templates.render('incident-announcement', { ...ANNOUNCEMENT, services }).blocks ?? [];
    expect(blocks).toHaveLength(50);
    expect(checkBlocks(blocks)).toEqual([]);
  });
});

describe('user text in a view', () => {
  const hostile = escapeUserText('<!channel> wake up <@U123> <!here> see <https://evil.example|this> & that');

  it.each([
    ['rollback-started', { ...STARTED, reason: hostile }],
    ['rollback-complete', { ...TEMPLATE_SAMPLES['rollback-complete'].verified, reason: hostile }],
    ['rollback-failed', { ...TEMPLATE_SAMPLES['rollback-failed']['one-failed'], reason: hostile }],
    ['incident-announcement', { ...ANNOUNCEMENT, reason: hostile }],
  ] as const)('stays inert in %s', (name, view) => {
    const message = templates.render(name, view as never);
    const strings = [message.text, ...allStrings(message.blocks)].join('\n');
    expect(strings).toContain('&lt;!channel&gt; wake up &lt;@U123&gt; &lt;!here&gt; see &lt;https://evil.example|this&gt; &amp; that');
    for (const live of ['<!channel>', '<@U123>', '<!here>', '<https://evil.example']) expect(strings).not.toContain(live);
  });
});
