import { parseEnv, type EnvSettings } from '../config/env.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import type { Catalog } from '../domain/catalog.js';
import { loadTemplates, TEMPLATES_DIR, TemplateError, type MessageTemplates } from '../slack/render/templates.js';

/** Why the bot could not start, in lines an operator can act on, with the exit code to use. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(
    readonly lines: string[],
    readonly exitCode: number,
  ) {
    super(lines.join('\n'));
  }
}

/** Everything validated at start-up, before any connection is made. */
export interface Settings {
  env: EnvSettings;
  catalog: Catalog;
  templates: MessageTemplates;
}

/** Validates the environment, the config file and the templates; every problem comes back at once as a StartupError (exit 2). */
export async function loadSettings(
  env: Record<string, string | undefined>,
  templatesDir = TEMPLATES_DIR,
  options: { receivesSlack: boolean } = { receivesSlack: true },
): Promise<Settings> {
  const parsedEnv = parseEnv(env, options);
  if (!parsedEnv.ok) throw new StartupError(parsedEnv.problems.map((p) => `environment variable ${p}`), 2);
  const settings = parsedEnv.value;
  let catalog: Catalog;
  try {
    catalog = await loadConfig(settings.configPath);
  } catch (err) {
    if (err instanceof ConfigError) throw new StartupError(err.problems, 2);
    throw err;
  }
  try {
    return { env: settings, catalog, templates: await loadTemplates(templatesDir) };
  } catch (err) {
    if (err instanceof TemplateError) throw new StartupError(err.problems, 2);
    throw err;
  }
}
