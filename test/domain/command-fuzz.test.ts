import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/domain/command.js';
import { usageMessage } from '../../src/slack/render/messages.js';
import { sampleCatalog } from '../support/catalog.js';

const catalog = sampleCatalog();
const words = ['production', 'staging', 'prod', 'api', 'worker', 'all', 'to', '14', 'v1.2.3', '--dry-run', '--force', '—dry-run', 'db', 'main', 'status', 'history', 'help', 'lock', 'unlock', 'snapshot', 'snapshots'];
const hostile = [
  '<!channel>',
  '<!here>',
  '<@U0BOSS>',
  '<#C0PRIV|secret>',
  '<https://evil.example|click>',
  '&lt;!channel&gt;',
  '&amp;lt;',
  '`',
  '```',
  '*bold*',
  '\u0000',
  '\u0007',
  '\u202e',
  '\u200b',
  '\r\n',
  '$(rm -rf /)',
  "'; DROP TABLE rollbacks; --",
  '../../etc/passwd',
  '%00',
  '🔥',
  'x'.repeat(5000),
];

/** Command text as people and attackers type it: real words, hostile fragments and arbitrary unicode, in any order. */
const commandText = fc.oneof(
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.array(fc.oneof(fc.constantFrom(...words), fc.constantFrom(...hostile), fc.string({ maxLength: 20, unit: 'grapheme' })), { maxLength: 12 }).map((parts) => parts.join(' ')),
  fc.tuple(fc.array(fc.constantFrom(...words, ...hostile), { maxLength: 8 }), fc.constantFrom(' ', '  ', '\t', '\n')).map(([parts, gap]) => parts.join(gap)),
);

describe('parseCommand under hostile input', () => {
  it('never throws, and answers either a fully understood command or a usage answer that is inert in Slack', () => {
    fc.assert(
      fc.property(commandText, (text) => {
        const result = parseCommand(text, catalog);
        if (!result.ok) {
          expect(result.error.problem.length).toBeGreaterThan(0);
          expect(result.error.hint.length).toBeGreaterThan(0);
          const answer = usageMessage(result.error).text;
          expect(answer).not.toMatch(/<[!@#]|<https?:/);
          expect(answer).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202e]/);
          expect(answer.length).toBeLessThan(1000);
          return;
        }
        const command = result.command;
        if (command.kind === 'help') return;
        const environment = catalog.environments[command.environment];
        expect(environment).toBeDefined();
        if (command.kind === 'rollback') {
          expect(command.services.length).toBeGreaterThan(0);
          for (const s of command.services) expect(environment!.services[s]).toBeDefined();
          const first = text.trim().split(/\s+/u)[0]!.toLowerCase();
          expect(first).toBe(command.environment);
        }
      }),
      { numRuns: 12_000 },
    );
  });
});
