import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { loadBlockKitValidator, type BlockKitValidator } from './block-kit-validator.js';
import type { SlackMessage } from './messages.js';
import type { KnownBlock } from './plan-blocks.js';
import { fitToSlack } from './slack-limits.js';
import { compileTemplate, renderTemplate, type CompiledTemplate } from './template-compiler.js';
import { mergeShapes, shapeOf, type Shape } from './template-fields.js';
import { TEMPLATE_SAMPLES } from './template-samples.js';
import type { TemplateName, TemplateViews } from './template-views.js';

/** The templates every deployment has in templates/, one `<name>.yaml` each. */
export const TEMPLATE_NAMES = [
  'rollback-started',
  'rollback-progress',
  'rollback-complete',
  'rollback-failed',
  'incident-announcement',
  'restore-started',
  'restore-progress',
  'restore-complete',
  'restore-failed',
] as const satisfies readonly TemplateName[];

/** templates/ of the checkout or image (at the same depth from src/ and dist/), whatever the working directory. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates', import.meta.url));

/** A template that cannot be used; each line of the message names the file and the problem. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  readonly code = 'TEMPLATE_INVALID';
  constructor(
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(problems.join('\n'), options);
  }
}

/** The loaded templates, each checked against the Block Kit schema with its sample views. */
export interface MessageTemplates {
  /** The message of one template for one view, within Slack's limits. */
  render<N extends TemplateName>(name: N, view: TemplateViews[N]): SlackMessage;
}

// Relative to the working directory when inside it (`templates/rollback-started.yaml`), so the
// start-up error points where the operator edits.
function displayName(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

async function readTemplate(file: string): Promise<string | { problem: string }> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: `missing: every one of ${TEMPLATE_NAMES.map((n) => `${n}.yaml`).join(', ')} must exist` };
    return { problem: `cannot be read (${code ?? (error as Error).message})` };
  }
}

function sampleProblems(template: CompiledTemplate, samples: Record<string, unknown>, validator: BlockKitValidator): string[] {
  const problems = new Set<string>();
  for (const [sample, view] of Object.entries(samples)) {
    let blocks;
    try {
      blocks = fitToSlack(renderTemplate(template, view)).blocks;
    } catch (error) {
      problems.add(`${(error as Error).message} (rendering the "${sample}" sample)`);
      continue;
    }
    for (const problem of validator.check(blocks.map((b) => b.block))) {
      problems.add(`${blocks[problem.index]?.origin ?? 'blocks'}${problem.path}: ${problem.message} (rendering the "${sample}" sample)`);
    }
  }
  return [...problems];
}

async function loadOne(dir: string, name: TemplateName, validator: BlockKitValidator): Promise<CompiledTemplate | string[]> {
  const file = path.join(dir, `${name}.yaml`);
  const where = displayName(file);
  const source = await readTemplate(file);
  if (typeof source !== 'string') return [`${where}: ${source.problem}`];
  const document = parseDocument(source);
  if (document.errors.length > 0) return document.errors.map((error) => `${where}: YAML error: ${error.message.split('\n')[0]?.replace(/:$/, '')}`);
  const samples: Record<string, unknown> = TEMPLATE_SAMPLES[name];
  const shape = Object.values(samples).map(shapeOf).reduce<Shape>(mergeShapes, { kind: 'unknown' });
  const compiled = compileTemplate(document.toJS(), shape);
  if ('problems' in compiled) return compiled.problems.map((problem) => `${where}: ${problem}`);
  const problems = sampleProblems(compiled, samples, validator);
  return problems.length > 0 ? problems.map((problem) => `${where}: ${problem}`) : compiled;
}

/**
 * Reads, compiles and checks the templates in `dir`: every field they name must exist in the
 * view, and every sample view must render to blocks the Block Kit schema accepts. Throws one
 * TemplateError listing every problem of every file.
 */
export async function loadTemplates(dir: string): Promise<MessageTemplates> {
  const validator = await loadBlockKitValidator();
  const loaded = await Promise.all(TEMPLATE_NAMES.map(async (name) => [name, await loadOne(dir, name, validator)] as const));
  const problems = loaded.flatMap(([, result]) => (Array.isArray(result) ? result : []));
  if (problems.length > 0) throw new TemplateError(problems);
  const templates = new Map(loaded.flatMap(([name, result]) => (Array.isArray(result) ? [] : [[name, result] as const])));

  return {
    render(name, view) {
      const template = templates.get(name);
      if (!template) throw new TemplateError([`${name}: not a template (known: ${TEMPLATE_NAMES.join(', ')})`]);
      let rendered;
      try {
        rendered = fitToSlack(renderTemplate(template, view));
      } catch (error) {
        throw new TemplateError([`${displayName(path.join(dir, `${name}.yaml`))}: ${(error as Error).message}`], { cause: error });
      }
      return { text: rendered.text, blocks: rendered.blocks.map((b) => b.block) as KnownBlock[] };
    },
  };
}
