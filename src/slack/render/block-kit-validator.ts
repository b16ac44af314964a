import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** The Block Kit schema shipped with the bot (schemas/ sits at the same depth from src/ and dist/). */
export const BLOCK_KIT_SCHEMA_FILE = fileURLToPath(new URL('../../../schemas/slack-block-kit.schema.json', import.meta.url));

/** One thing wrong with a block: which block, where in it (`.text.text`, empty for the block itself), what. */
export interface BlockProblem {
  index: number;
  path: string;
  message: string;
}

/** Checks message blocks against the Block Kit schema. */
export interface BlockKitValidator {
  /** Problems with each block and with the blocks together (a repeated block_id); empty when valid. */
  check(blocks: unknown[]): BlockProblem[];
}

interface BlockSchema {
  $id: string;
  $defs: Record<string, { oneOf?: { $ref: string }[]; properties?: { type?: { const?: string } } }>;
}

// Branches of a oneOf that were not meant (a plain_text object tried as mrkdwn) bury the real
// problem; these are dropped when anything else is left to say.
function isBranchNoise(error: ErrorObject): boolean {
  return error.keyword === 'oneOf' || error.keyword === 'anyOf' || (error.keyword === 'const' && error.instancePath.endsWith('/type'));
}

function detail(error: ErrorObject): string {
  const params = error.params as { additionalProperty?: string; allowedValue?: unknown; allowedValues?: unknown[] };
  if (params.additionalProperty !== undefined) return ` (${params.additionalProperty})`;
  if (params.allowedValues !== undefined) return ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
  if (params.allowedValue !== undefined) return ` (${JSON.stringify(params.allowedValue)})`;
  return '';
}

function describe(index: number, errors: ErrorObject[]): BlockProblem[] {
  const meaningful = errors.filter((error) => !isBranchNoise(error));
  const unique = new Map<string, BlockProblem>();
  for (const error of meaningful.length > 0 ? meaningful : errors) {
    const path = error.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
    const message = `${error.message ?? error.keyword}${detail(error)}`;
    unique.set(`${path} ${message}`, { index, path, message });
  }
  return [...unique.values()].slice(0, 5);
}

/** Reads the Block Kit schema; each block type is compiled the first time it is seen (all of them take seconds). */
export async function loadBlockKitValidator(schemaFile = BLOCK_KIT_SCHEMA_FILE): Promise<BlockKitValidator> {
  const schema = JSON.parse(await readFile(schemaFile, 'utf8')) as BlockSchema;
  // Compiling the block types the templates use drags in most of the schema (a section's accessory may be any
  // element) and was the largest part of start-up: referenced definitions compiled once each instead of inlined
  // everywhere, and Ajv's code optimisation pass skipped, take 40% less CPU and validate the same.
  const ajv = new Ajv2020({ strict: false, allErrors: true, inlineRefs: false, code: { optimize: false } });
  // The schema's only format; URL parsing is what Slack's own check amounts to.
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  ajv.addSchema(schema);
  const refs = new Map<string, string>();
  for (const { $ref } of schema.$defs.block?.oneOf ?? []) {
    const blockType = schema.$defs[$ref.replace('#/$defs/', '')]?.properties?.type?.const;
    if (blockType) refs.set(blockType, `${schema.$id}${$ref}`);
  }
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (type: string): ValidateFunction | undefined => {
    const ref = refs.get(type);
    let validate = compiled.get(type);
    if (!validate && ref !== undefined) {
      validate = ajv.getSchema(ref);
      if (validate) compiled.set(type, validate);
    }
    return validate;
  };

  return {
    check(blocks) {
      const problems: BlockProblem[] = [];
      const blockIds = new Set<string>();
      blocks.forEach((block, index) => {
        const { type, block_id: blockId } = (typeof block === 'object' && block !== null ? block : {}) as { type?: unknown; block_id?: unknown };
        const validate = typeof type === 'string' ? validatorFor(type) : undefined;
        if (!validate) {
          problems.push({ index, path: '.type', message: `unknown block type ${JSON.stringify(type)}` });
          return;
        }
        if (!validate(block)) problems.push(...describe(index, validate.errors ?? []));
        // Slack refuses a message whose blocks share a block_id.
        if (typeof blockId === 'string') {
          if (blockIds.has(blockId)) problems.push({ index, path: '.block_id', message: `repeats block_id "${blockId}"` });
          blockIds.add(blockId);
        }
      });
      return problems;
    },
  };
}
