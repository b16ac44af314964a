import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileTemplate, renderTemplate, type CompiledTemplate } from '../../../src/slack/render/template-compiler.js';
import { shapeOf } from '../../../src/slack/render/template-fields.js';
import { TEMPLATE_SAMPLES } from '../../../src/slack/render/template-samples.js';
import { loadTemplates } from '../../../src/slack/render/templates.js';
import { templatesDir, templatesWith } from './support.js';

const VIEW = {
  environment: 'production',
  services: [
    { service: 'api', alarms: [{ name: 'api-5xx' }, { name: 'api-latency' }] },
    { service: 'worker', alarms: [] },
    { service: 'web', alarms: [{ name: 'web-5xx' }] },
  ],
};

function compile(yaml: string, view: unknown = VIEW): CompiledTemplate {
  const compiled = compileTemplate(parse(yaml), shapeOf(view));
  if ('problems' in compiled) throw new Error(compiled.problems.join('\n'));
  return compiled;
}

describe('$each', () => {
  it('repeats $item once per element, with the element as context, @index and @root', () => {
    const template = compile(`
text: "{{#each services}}{{@index}}:{{service}} {{/each}}"
blocks:
  - type: divider
  - $each: services
    $item:
      type: section
      text: { type: mrkdwn, text: "{{@index}} {{service}} in {{@root.environment}}{{#if @last}} (last){{/if}}" }
  - type: divider
`);
    const { text, blocks } = renderTemplate(template, VIEW);
    expect(text).toBe('0:api 1:worker 2:web ');
    expect(blocks.map((b) => b.block)).toEqual([
      { type: 'divider' },
      { type: 'section', text: { type: 'mrkdwn', text: '0 api in production' } },
      { type: 'section', text: { type: 'mrkdwn', text: '1 worker in production' } },
      { type: 'section', text: { type: 'mrkdwn', text: '2 web in production (last)' } },
      { type: 'divider' },
    ]);
    expect(blocks.map((b) => b.origin)).toEqual(['blocks[0]', 'blocks[1].$item', 'blocks[1].$item', 'blocks[1].$item', 'blocks[2]']);
  });

  it('nests, inside any list, and reaches the view with @root', () => {
    const template = compile(`
text: x
blocks:
  - $each: services
    $item:
      type: context
      elements:
        - { type: mrkdwn, text: "*{{service}}*" }
        - $each: alarms
          $item: { type: plain_text, text: "{{name}} of {{@root.environment}} #{{@index}}" }
`);
    const { blocks } = renderTemplate(template, VIEW);
    expect(blocks[0]?.block).toEqual({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: '*api*' },
        { type: 'plain_text', text: 'api-5xx of production #0' },
        { type: 'plain_text', text: 'api-latency of production #1' },
      ],
    });
    expect(blocks[1]?.block).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '*worker*' }] });
  });

  it('$max caps the repetition and adds nothing else', () => {
    const template = compile(`
text: x
blocks:
  - $each: services
    $max: 2
    $item: { type: section, text: { type: mrkdwn, text: "{{service}}" } }
  - $each: "@root.services"
    $max: 10
    $item: { type: divider }
`);
    const { blocks } = renderTemplate(template, VIEW);
    expect(blocks.map((b) => b.block)).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'api' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'worker' } },
      { type: 'divider' },
      { type: 'divider' },
      { type: 'divider' },
    ]);
  });

  it('leaves numbers and booleans of the file as they are', () => {
    const template = compile('text: x\nblocks:\n  - { type: header, level: 2, text: { type: plain_text, text: "{{environment}}", emoji: true } }\n');
    expect(renderTemplate(template, VIEW).blocks[0]?.block).toEqual({ type: 'header', level: 2, text: { type: 'plain_text', text: 'production', emoji: true } });
  });

  it('a plain {{#each}} inside a string still works, with {{else}} for an empty list', () => {
    const template = compile('text: "{{#each services}}{{service}}: {{#each alarms}}{{name}},{{else}}none{{/each}}; {{/each}}"\nblocks: [{ type: divider }]\n');
    expect(renderTemplate(template, VIEW).text).toBe('api: api-5xx,api-latency,; worker: none; web: web-5xx,; ');
  });

  it('checks the fields of $item against the element, not the view', () => {
    const result = compileTemplate(parse('text: x\nblocks:\n  - $each: services\n    $item: { type: divider, block_id: "{{environment}}" }\n'), shapeOf(VIEW));
    expect(result).toEqual({ problems: ['blocks[0].$item.block_id: "environment" not defined in services[]'] });
  });

  it('fails with the path in the file when the view has no such list', () => {
    const template = compile('text: x\nblocks:\n  - $each: services\n    $item: { type: divider }\n');
    expect(() => renderTemplate(template, { services: null })).toThrow('blocks[0].$each: services is not a list in this view');
  });

  it('gives one button per service in a loaded template, and $max caps them there too', async () => {
    const source = (await readFile(path.join(templatesDir, 'incident-announcement.yaml'), 'utf8')).replace('  - $each: services\n', '  - $each: services\n    $max: 2\n');
    const { dir, remove } = await templatesWith({ 'incident-announcement.yaml': source });
    try {
      const view = TEMPLATE_SAMPLES['incident-announcement']['three-services'];
      const all = (await loadTemplates(templatesDir)).render('incident-announcement', view);
      const capped = (await loadTemplates(dir)).render('incident-announcement', view);
      const buttons = (blocks: unknown) => JSON.stringify(blocks).match(/"action_id":"rollback_offer"/g)?.length;
      expect(buttons(all.blocks)).toBe(3);
      expect(buttons(capped.blocks)).toBe(2);
      expect(capped.blocks).toHaveLength((all.blocks?.length ?? 0) - 1);
    } finally {
      await remove();
    }
  });
});
