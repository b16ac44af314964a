import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEMPLATE_SAMPLES } from '../../../src/slack/render/template-samples.js';
import { loadTemplates, TemplateError } from '../../../src/slack/render/templates.js';
import { rejectionOf } from '../../support/rejection.js';
import { templatesDir, templatesWith } from './support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((remove) => remove()));
});

async function loadWith(changes: Record<string, string | null>): Promise<TemplateError> {
  const { dir, remove } = await templatesWith(changes);
  cleanups.push(remove);
  return rejectionOf(loadTemplates(dir), TemplateError);
}

async function shipped(name: string): Promise<string> {
  return readFile(path.join(templatesDir, name), 'utf8');
}

describe('loadTemplates refuses a broken template, naming the file and the problem', () => {
  it('a misspelt field', async () => {
    const source = (await shipped('rollback-started.yaml')).replace('*Why:* {{#if reason}}{{reason}}', '*Why:* {{#if reason}}{{reasn}}');
    const error = await loadWith({ 'rollback-started.yaml': source });
    expect(error.code).toBe('TEMPLATE_INVALID');
    expect(error.problems).toEqual([expect.stringMatching(/rollback-started\.yaml: blocks\[1\]\.text\.text: "reasn" not defined in the view$/)]);
  });

  it('a misspelt field in a branch the sample does not take, or as the argument of {{#if}}', async () => {
    const source = (await shipped('rollback-started.yaml'))
      .replace('{{#if approvedBy}} · *approved by* {{approvedBy}}', '{{#if approvedBy}} · *approved by* {{aproved}}')
      .replace('{{#if threadLink}}', '{{#if thread}}');
    const error = await loadWith({ 'rollback-started.yaml': source });
    expect(error.message).toContain('rollback-started.yaml: blocks[1].text.text: "aproved" not defined in the view');
    expect(error.message).toContain('rollback-started.yaml: blocks[4].elements[0].text: "thread" not defined in the view');
  });

  it('a misspelt field of a $each item, of an {{#each}} item and of a nested object', async () => {
    const source = (await shipped('incident-announcement.yaml'))
      .replace('text: "Roll back {{service}}"', 'text: "Roll back {{servce}}"')
      .replace('{{#each services}}{{service}}{{#unless', '{{#each services}}{{name}}{{#unless')
      .replace('{{#if pagerduty.url}}<{{pagerduty.url}}|PagerDuty', '{{#if pagerduty.url}}<{{pagerduty.ulr}}|PagerDuty');
    const { message } = await loadWith({ 'incident-announcement.yaml': source });
    expect(message).toContain('incident-announcement.yaml: blocks[2].$item.accessory.text.text: "servce" not defined in services[]');
    expect(message).toContain('incident-announcement.yaml: text: "name" not defined in services[]');
    expect(message).toContain('incident-announcement.yaml: blocks[3].elements[0].text: "ulr" not defined in pagerduty');
  });

  it('a helper or partial that does not exist', async () => {
    const source = (await shipped('rollback-progress.yaml')).replace('*{{phase}}*', '*{{upper phase}}* {{> footer}}');
    const { message } = await loadWith({ 'rollback-progress.yaml': source });
    expect(message).toContain('rollback-progress.yaml: blocks[0].elements[0].text: unknown helper "upper"');
    expect(message).toContain('rollback-progress.yaml: blocks[0].elements[0].text: partials');
  });

  it('a Handlebars syntax error', async () => {
    const source = (await shipped('rollback-progress.yaml')).replace('*{{phase}}*', '*{{#if phase}}*');
    const { message } = await loadWith({ 'rollback-progress.yaml': source });
    expect(message).toMatch(/rollback-progress\.yaml: blocks\[0\]\.elements\[0\]\.text: Handlebars parse error on line 1 near ".*", unexpected 'EOF'$/);
  });

  it('bad YAML', async () => {
    const { message } = await loadWith({ 'rollback-failed.yaml': 'text: "ROLLBACK FAILED\nblocks:\n  - type: [header\n' });
    expect(message).toMatch(/rollback-failed\.yaml: YAML error: .*line/);
  });

  it('a block type Slack does not have', async () => {
    const source = (await shipped('rollback-complete.yaml')).replace('  - type: header', '  - type: heading');
    const { message } = await loadWith({ 'rollback-complete.yaml': source });
    expect(message).toMatch(/rollback-complete\.yaml: blocks\[0\]\.type: unknown block type "heading" \(rendering the "verified" sample\)/);
  });

  it('a block the schema refuses, named by its path in the file', async () => {
    const source = (await shipped('incident-announcement.yaml')).replace('style: danger\n        text:', 'style: scary\n        text:');
    const { message } = await loadWith({ 'incident-announcement.yaml': source });
    expect(message).toContain('incident-announcement.yaml: blocks[2].$item.accessory.style: must be equal to one of the allowed values ("primary", "danger")');
  });

  it('a missing file', async () => {
    const { message } = await loadWith({ 'rollback-failed.yaml': null });
    expect(message).toMatch(/rollback-failed\.yaml: missing: every one of rollback-started\.yaml, .* must exist/);
  });

  it('a misused $each', async () => {
    const source = (await shipped('rollback-progress.yaml'))
      .replace('  - $each: services', '  - $each: phase\n    $max: 0')
      .replace('        type: mrkdwn\n        # An', '        type: mrkdwn\n        $each: alarms\n        # An');
    const { message } = await loadWith({ 'rollback-progress.yaml': source });
    expect(message).toContain('rollback-progress.yaml: blocks[1].$max: must be a whole number above 0');
    expect(message).toContain('rollback-progress.yaml: blocks[1].$each: phase is not a list');
    expect(message).toContain('rollback-progress.yaml: blocks[1].$item.text: $each works only as an item of a list');
  });

  it('every problem of every file at once', async () => {
    const error = await loadWith({ 'rollback-failed.yaml': null, 'rollback-progress.yaml': 'text: [' });
    expect(error.problems).toHaveLength(2);
  });

  it('a file that is not a template', async () => {
    const { message } = await loadWith({ 'rollback-progress.yaml': 'txt: hello\nblocks: []\n' });
    expect(message).toContain('rollback-progress.yaml: unknown key "txt" (a template has text and blocks)');
    expect(message).toContain('rollback-progress.yaml: text: must be a string');
    expect(message).toContain('rollback-progress.yaml: blocks: must be a list of at least one block');
  });
});

describe('render', () => {
  it('names the file and the path when a view does not fit the template', async () => {
    const templates = await loadTemplates(templatesDir);
    const sample = TEMPLATE_SAMPLES['rollback-failed']['one-failed'];
    const render = (view: object) => () => templates.render('rollback-failed', view as never);
    expect(render({ ...sample, services: null })).toThrow(
      expect.objectContaining({ name: 'TemplateError', message: expect.stringMatching(/rollback-failed\.yaml: blocks\[1\]\.text\.text: "length" not defined in null \(line 1, column 32\)$/) }),
    );
    const progress = { ...TEMPLATE_SAMPLES['rollback-progress'].verifying, services: null };
    expect(() => templates.render('rollback-progress', progress as never)).toThrow(/rollback-progress\.yaml: blocks\[1\]\.\$each: services is not a list in this view$/);
  });
});
