import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { loadConfig, parseConfig } from '../../src/config/load-config.js';
import { configProblems, SAMPLE_CONFIG_YAML } from '../support/catalog.js';

describe('config file', () => {
  it('accepts the contract example and fills in the defaults', () => {
    const catalog = parseConfig(SAMPLE_CONFIG_YAML, 'x');
    expect(catalog.environments['staging']!.tunables).toEqual({ pollSeconds: 5, timeoutMinutes: 15, verifyMinutes: 5, promptExpiryMinutes: 15, concurrency: 10, restoreTimeoutMinutes: 120 });
    expect(catalog.environments['production']!.services['api']).toEqual({
      name: 'api',
      ecsService: 'shieldai-production-api',
      healthCheckUrl: 'https://api.example.com/health',
      alarms: ['shieldai-production-alb-5xx'],
    });
  });

  it('lets an environment override defaults, fractions included', () => {
    const catalog = parseConfig(SAMPLE_CONFIG_YAML.replace('protected: false', 'protected: false\n    pollSeconds: 0.5') + 'defaults:\n  timeoutMinutes: 2\n', 'x');
    expect(catalog.environments['staging']!.tunables).toMatchObject({ pollSeconds: 0.5, timeoutMinutes: 2 });
  });

  it('lists every problem at once, each with its path', () => {
    const problems = configProblems(`
incidentsChannel: general
extra: 1
environments:
  production:
    region: us-east-1
    cluster: c
    protected: "yes"
    services:
      api: { healthCheckUrl: https://x }
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'rollback.config.yaml: incidentsChannel: must be a Slack channel ID such as C0INCIDENTS',
        'rollback.config.yaml: extra: unknown key',
        expect.stringMatching(/^rollback\.config\.yaml: environments\.production\.protected: /),
        'rollback.config.yaml: environments.production.services.api.ecsService: required',
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('refuses reserved words as names and YAML syntax errors with a line number', () => {
    expect(configProblems(SAMPLE_CONFIG_YAML.replace('worker:', 'all:'))).toEqual([expect.stringContaining('environments.production.services.all: name is a reserved word')]);
    expect(configProblems('incidentsChannel: [C1\n')[0]).toMatch(/^rollback\.config\.yaml: YAML line \d+/);
  });

  it('names a missing file and says how to make one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rb-config-'));
    await expect(loadConfig(path.join(dir, 'nope.yaml'))).rejects.toMatchObject({ problems: [expect.stringContaining('file not found')] });
    await writeFile(path.join(dir, 'ok.yaml'), SAMPLE_CONFIG_YAML);
    await expect(loadConfig(path.join(dir, 'ok.yaml'))).resolves.toMatchObject({ incidentsChannel: 'C0INCIDENTS' });
  });
});

describe('environment variables', () => {
  it('applies the contract defaults', () => {
    const r = parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    expect(r).toMatchObject({ ok: true, value: { port: 3000, configPath: './rollback.config.yaml', dataDir: './data', slack: { apiUrl: 'https://slack.com/api/' } } });
  });

  it('names each missing or malformed variable', () => {
    const r = parseEnv({ PORT: 'eighty', SLACK_APP_TOKEN: 'xoxb-wrong', DATABASE_URL: 'mysql://x', PAGERDUTY_API_TOKEN: 't' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN: required',
        'PORT: must be a port number from 0 to 65535',
        'SLACK_APP_TOKEN: must start with xapp-',
        'DATABASE_URL: must be a postgres:// URL',
        'PAGERDUTY_FROM: required with PAGERDUTY_API_TOKEN',
      ]),
    );
  });

  it('needs the signing secret only in HTTP mode', () => {
    expect(parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1' })).toMatchObject({ ok: false, problems: [expect.stringContaining('SLACK_SIGNING_SECRET')] });
    expect(parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toMatchObject({ ok: true });
    expect(parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1' }, { receivesSlack: false })).toMatchObject({ ok: true });
  });
});
