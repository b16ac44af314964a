import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_KIT_SCHEMA_FILE } from '../../../src/slack/render/block-kit-validator.js';
import { TEMPLATES_DIR } from '../../../src/slack/render/templates.js';
import { specPath } from '../../specs/specs.js';
import { repoRoot } from './support.js';

describe('the Block Kit schema shipped in schemas/', () => {
  it('is the one the validator reads, next to the templates', () => {
    expect(BLOCK_KIT_SCHEMA_FILE).toBe(path.join(repoRoot, 'schemas', 'slack-block-kit.schema.json'));
    expect(TEMPLATES_DIR).toBe(path.join(repoRoot, 'templates'));
  });

  it('is byte for byte the saved copy of the upstream schema in test/specs', async () => {
    const saved = specPath('slack', 'slack-block-kit.schema.json');
    const [ours, theirs] = await Promise.all([readFile(BLOCK_KIT_SCHEMA_FILE), readFile(saved)]);
    expect(ours.equals(theirs), `copy ${saved} to schemas/ again`).toBe(true);
  });
});
