import { beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_TEMPLATE_SAMPLES } from '../../../src/slack/render/database-template-samples.js';
import type { DatabaseTemplateViews } from '../../../src/slack/render/database-template-views.js';
import type { SlackMessage } from '../../../src/slack/render/messages.js';
import { loadTemplates, type MessageTemplates } from '../../../src/slack/render/templates.js';
import { allStrings, templatesDir } from './support.js';

let templates: MessageTemplates;
beforeAll(async () => {
  templates = await loadTemplates(templatesDir);
});

function render<N extends keyof DatabaseTemplateViews>(name: N, sample: keyof (typeof DATABASE_TEMPLATE_SAMPLES)[N]): SlackMessage {
  return templates.render(name, DATABASE_TEMPLATE_SAMPLES[name][sample] as never);
}

describe('what CONTRACT.md requires of the database messages', () => {
  it('restore-started names the state, environment, database with source → new instance, who asked and why', () => {
    const { text } = render('restore-started', 'in-progress');
    expect(text).toMatch(/^ROLLBACK IN PROGRESS in production: database main shieldai-production-db → new instance shieldai-production-db-rb-202611220300 \(point in time 2026-11-22 02:30:00 UTC\)/);
    expect(text).toContain('Asked by <@U0ALICE>: migration 42 dropped the orders.customer_id column &lt;!channel&gt;');
  });

  it.each([
    ['complete', 'ROLLBACK COMPLETE'],
    ['failed', 'ROLLBACK FAILED'],
  ] as const)('restore-started re-rendered as %s says %s in its text and header', (sample, status) => {
    const message = render('restore-started', sample);
    expect(message.text.startsWith(status)).toBe(true);
    expect(JSON.stringify(message.blocks?.[0])).toContain(status);
    expect(message.text).not.toContain('IN PROGRESS');
  });

  it('restore-complete gives the endpoint and the next steps, and says the bot does not take them', () => {
    const message = render('restore-complete', 'point-in-time');
    expect(message.text).toMatch(/^ROLLBACK COMPLETE in production after 38m 30s: .* available at shieldai-production-db-rb-202611220300\.c9akciq32\.us-east-1\.rds\.amazonaws\.com:5432/);
    const shown = allStrings(message.blocks).join('\n');
    expect(shown).toContain("Point the application's database secret at it: host `shieldai-production-db-rb-202611220300.c9akciq32.us-east-1.rds.amazonaws.com`, port `5432`");
    expect(shown).toContain('Restart the services that read the secret');
    expect(shown).toContain('the bot does none of them');
    expect(shown).not.toContain('<!channel>');
  });

  it('restore-failed says ROLLBACK FAILED with the duration, the problem and that the source still serves', () => {
    const message = render('restore-failed', 'timed-out');
    expect(message.text).toMatch(/^ROLLBACK FAILED in production after 2h 05m: database main \(snapshot rds:shieldai-production-db-2026-11-22-02-00\) timed out: /);
    expect(allStrings(message.blocks).join('\n')).toContain('`shieldai-production-db` was not touched and still serves the application');
  });

  it('restore-progress is one short context line', () => {
    const message = render('restore-progress', 'snapshotting');
    expect(message.text).toMatch(/^snapshotting the source: creating 45%, 4m 00s in\. Snapshot /);
    expect(message.blocks).toHaveLength(1);
  });
});
