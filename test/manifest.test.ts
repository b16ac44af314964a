import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { specPath } from './specs/specs.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const specsDir = specPath('slack');
const EVENTS_URL = 'https://rollback-bot.example.com/slack/events';

// The entry schema picks a version through these remote $refs; the local copies have no $id of their own.
const VERSIONED_SCHEMAS = {
  'manifest.schema.1.0.0.json': 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.1.0.0.json',
  'manifest.schema.2.0.0.json': 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.2.0.0.json',
};

interface Manifest {
  _metadata?: { major_version?: number };
  display_information: { name: string };
  features: {
    bot_user: { display_name?: string };
    slash_commands: { command: string; url: string; usage_hint: string; should_escape: boolean }[];
  };
  oauth_config: { scopes: { bot: unknown } };
  settings: { interactivity: { is_enabled: boolean; request_url: string }; socket_mode_enabled: boolean };
}

function readJson(file: string): object {
  return JSON.parse(readFileSync(path.join(specsDir, file), 'utf8')) as object;
}

function loadManifest(): Manifest {
  return parse(readFileSync(path.join(repoRoot, 'manifest.yml'), 'utf8')) as Manifest;
}

describe('manifest.yml', () => {
  let validate: ValidateFunction;

  beforeAll(() => {
    // strict is off because Slack's schemas use keywords Ajv does not know (`regex`, `_note`).
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormatsModule.default(ajv);
    for (const [file, url] of Object.entries(VERSIONED_SCHEMAS)) ajv.addSchema(readJson(file), url);
    validate = ajv.compile(readJson('manifest.schema.json'));
  });

  it("is valid against Slack's manifest schema", () => {
    const valid = validate(loadManifest());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('declares the bot, /rollback, interactivity and Socket Mode', () => {
    const manifest = loadManifest();
    expect(manifest._metadata?.major_version).toBe(2);
    expect(manifest.display_information.name).toBe('rollback-bot');
    expect(manifest.features.bot_user.display_name).toBe('rollback-bot');
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({
        command: '/rollback',
        url: EVENTS_URL,
        usage_hint: '<env> <service|all> [to <revision|image-tag>] [--dry-run] [reason…]',
        should_escape: false,
      }),
    ]);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: EVENTS_URL });
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });

  it('asks for no scope beyond what the bot uses', () => {
    expect(loadManifest().oauth_config.scopes).toEqual({ bot: ['commands', 'chat:write'] });
  });

  it('would catch a broken manifest', () => {
    const scopeAsString = loadManifest();
    scopeAsString.oauth_config.scopes.bot = 'commands,chat:write';
    expect(validate(scopeAsString)).toBe(false);
    expect(validate.errors?.some((e) => e.instancePath === '/oauth_config/scopes/bot' && e.keyword === 'type')).toBe(true);

    const noDisplayName = loadManifest();
    delete noDisplayName.features.bot_user.display_name;
    expect(validate(noDisplayName)).toBe(false);
    expect(validate.errors?.some((e) => e.instancePath === '/features/bot_user' && e.keyword === 'required')).toBe(true);
  });
});
