import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBlockKitValidator, type BlockKitValidator } from '../../../src/slack/render/block-kit-validator.js';
import type { SlackMessage } from '../../../src/slack/render/messages.js';
import { SLACK_LIMITS } from '../../../src/slack/render/slack-limits.js';
import { TEMPLATE_SAMPLES } from '../../../src/slack/render/template-samples.js';
import type { TemplateName } from '../../../src/slack/render/template-views.js';
import { loadTemplates, TEMPLATE_NAMES, type MessageTemplates } from '../../../src/slack/render/templates.js';
import { checkBlocks, checkText } from '../../fakes/slack/block-kit.js';
import { allStrings, templatesDir } from './support.js';

const goldenDir = fileURLToPath(new URL('golden', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

let templates: MessageTemplates;
let validator: BlockKitValidator;

beforeAll(async () => {
  templates = await loadTemplates(templatesDir);
  validator = await loadBlockKitValidator();
});

const cases = TEMPLATE_NAMES.flatMap((name) => Object.keys(TEMPLATE_SAMPLES[name]).map((sample) => [name, sample] as const));

function render(name: TemplateName, sample: string): SlackMessage {
  const view = (TEMPLATE_SAMPLES[name] as Record<string, unknown>)[sample];
  return templates.render(name, view as never);
}

// Slack's limits written out again, independently of the schema, so that a schema update cannot drop one.
function limitProblems(message: SlackMessage): string[] {
  const problems: string[] = [];
  const over = (what: string, text: unknown, max: number) => {
    if (typeof text === 'string' && [...text].length > max) problems.push(`${what} has ${[...text].length} characters (max ${max})`);
  };
  const blocks = (message.blocks ?? []) as unknown as Record<string, any>[];
  if (blocks.length > SLACK_LIMITS.blocks) problems.push(`${blocks.length} blocks`);
  over('text', message.text, SLACK_LIMITS.messageText);
  for (const block of blocks) {
    if (block.type === 'header') over('header', block.text?.text, 150);
    if (block.type === 'section') over('section', block.text?.text, 3000);
    const buttons = [block.accessory, ...(block.type === 'actions' ? block.elements : [])].filter((e) => e?.type === 'button');
    for (const button of buttons) {
      over('button text', button.text?.text, 75);
      over('button value', button.value, 2000);
      over('confirm title', button.confirm?.title?.text, 100);
      over('confirm text', button.confirm?.text?.text, 300);
    }
  }
  return problems;
}

describe('golden messages', () => {
  it.each(cases)('%s (%s sample) matches its golden file', async (name, sample) => {
    const actual = `${JSON.stringify(render(name, sample), null, 2)}\n`;
    const file = path.join(goldenDir, `${name}.${sample}.json`);
    if (update) await writeFile(file, actual);
    const expected = await readFile(file, 'utf8').catch(() => '(no golden file: run UPDATE_GOLDEN=1 npx vitest run test/slack/templates)');
    // A string comparison prints a line diff; accept an intended change with UPDATE_GOLDEN=1.
    expect(actual, `${file} differs; if the change is intended, run UPDATE_GOLDEN=1 npx vitest run test/slack/templates`).toBe(expected);
  });

  it.each(cases)('%s (%s sample) is valid Block Kit within Slack limits', (name, sample) => {
    const message = render(name, sample);
    expect(validator.check(message.blocks ?? [])).toEqual([]);
    expect(checkBlocks(message.blocks)).toEqual([]);
    expect(checkText(message.text)).toEqual([]);
    expect(limitProblems(message)).toEqual([]);
  });
});

describe('what CONTRACT.md requires of each message', () => {
  it('rollback-started names the state, environment, services with from → to, who asked and why', () => {
    const { text } = render('rollback-started', 'in-progress');
    expect(text).toContain('ROLLBACK IN PROGRESS');
    expect(text).toContain('production');
    expect(text).toContain('api shieldai-production-api:14 → shieldai-production-api:13');
    expect(text).toContain('worker shieldai-production-worker:14 → shieldai-production-worker:13');
    expect(text).toContain('<@U0ALICE>');
    expect(text).toContain('checkout 5xx at 12%');
  });

  it.each([
    ['complete', 'ROLLBACK COMPLETE'],
    ['unverified', 'ROLLBACK COMPLETE (UNVERIFIED)'],
    ['failed', 'ROLLBACK FAILED'],
  ])('rollback-started re-rendered as %s says %s in its text and header', (sample, status) => {
    const message = render('rollback-started', sample);
    expect(message.text.startsWith(status)).toBe(true);
    expect(JSON.stringify(message.blocks?.[0])).toContain(status);
    expect(message.text).not.toContain('IN PROGRESS');
  });

  it('the final thread messages say ROLLBACK COMPLETE or ROLLBACK FAILED with durations', () => {
    expect(render('rollback-complete', 'verified').text).toMatch(/^ROLLBACK COMPLETE in production after 7m 45s/);
    expect(render('rollback-complete', 'unverified').text).toMatch(/^ROLLBACK COMPLETE \(UNVERIFIED\).*Still wrong: api: alarm/);
    const failed = render('rollback-failed', 'one-failed');
    expect(failed.text).toMatch(/^ROLLBACK FAILED in production after 6m 12s: api failed: .*tasks failed to start/);
    expect(allStrings(failed.blocks).join('\n')).toContain('`/rollback production api`');
  });

  it('the incident announcement says INCIDENT and offers one rollback_offer button per service', () => {
    const message = render('incident-announcement', 'three-services');
    expect(message.text).toContain('INCIDENT');
    const buttons = (message.blocks ?? []).flatMap((b) => ('accessory' in b && b.accessory?.type === 'button' ? [b.accessory] : []));
    expect(buttons.map((b) => [b.action_id, b.text.text, b.value, b.style, Boolean(b.confirm)])).toEqual([
      ['rollback_offer', 'Roll back api', '{"environment":"production","service":"api"}', 'danger', true],
      ['rollback_offer', 'Roll back worker', '{"environment":"production","service":"worker"}', 'danger', true],
      ['rollback_offer', 'Roll back web', '{"environment":"production","service":"web"}', 'danger', true],
    ]);
  });
});
