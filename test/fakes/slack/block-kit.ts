import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { slackSpecsDir } from './specs-dir.js';

/** Most blocks Slack accepts in one message (the schema allows 100, the limit for modals). */
export const MAX_MESSAGE_BLOCKS = 50;
/** Longest `text` Slack accepts in a message. */
export const MAX_MESSAGE_TEXT = 40_000;

interface BlockSchema {
  $id: string;
  $defs: Record<string, { oneOf?: { $ref: string }[]; properties?: { type?: { const?: string } } }>;
}

interface Compiler {
  ajv: Ajv2020;
  refs: Map<string, string>;
  compiled: Map<string, ValidateFunction>;
}

let compiler: Compiler | undefined;

// The schema is read once per process, and each block type is compiled the first time it is seen
// (compiling all of them takes seconds). One validator per type also makes an error name the fields
// of the block that was meant instead of every branch of the schema's oneOf.
function validatorFor(type: string): ValidateFunction | undefined {
  if (!compiler) {
    const schema = JSON.parse(readFileSync(path.join(slackSpecsDir, 'slack-block-kit.schema.json'), 'utf8')) as BlockSchema;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormatsModule.default(ajv);
    ajv.addSchema(schema);
    const refs = new Map<string, string>();
    for (const { $ref } of schema.$defs.block?.oneOf ?? []) {
      const blockType = schema.$defs[$ref.replace('#/$defs/', '')]?.properties?.type?.const;
      if (blockType) refs.set(blockType, `${schema.$id}${$ref}`);
    }
    compiler = { ajv, refs, compiled: new Map() };
  }
  const ref = compiler.refs.get(type);
  if (ref === undefined) return undefined;
  let validate = compiler.compiled.get(type);
  if (!validate) {
    validate = compiler.ajv.getSchema(ref);
    if (validate) compiler.compiled.set(type, validate);
  }
  return validate;
}

function describe(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, 5).map((error) => {
    const detail = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
    return `${where}${error.instancePath} ${error.message ?? error.keyword}${detail}`;
  });
}

/** Problems with a message's `blocks` per the Block Kit schema and Slack's message limits; empty when valid. */
export function checkBlocks(blocks: unknown, where = 'blocks'): string[] {
  if (!Array.isArray(blocks)) return [`${where} must be a JSON array of blocks`];
  if (blocks.length === 0) return [`${where} must not be empty`];
  const problems: string[] = [];
  if (blocks.length > MAX_MESSAGE_BLOCKS) {
    problems.push(`${where} has ${blocks.length} blocks; a message holds at most ${MAX_MESSAGE_BLOCKS}`);
  }
  const blockIds = new Set<string>();
  blocks.forEach((block: unknown, index) => {
    const at = `${where}[${index}]`;
    const type = (block as { type?: unknown } | null)?.type;
    const validate = typeof type === 'string' ? validatorFor(type) : undefined;
    if (!validate) {
      problems.push(`${at} has unknown block type ${JSON.stringify(type)}`);
      return;
    }
    if (!validate(block)) problems.push(...describe(at, validate.errors));
    // Slack refuses a message whose blocks share a block_id.
    const blockId = (block as { block_id?: unknown }).block_id;
    if (typeof blockId === 'string') {
      if (blockIds.has(blockId)) problems.push(`${at} repeats block_id "${blockId}"`);
      blockIds.add(blockId);
    }
  });
  return problems;
}

/** Problems with a message's `text` against Slack's limits; empty when valid. */
export function checkText(text: unknown): string[] {
  if (text === undefined) return [];
  if (typeof text !== 'string') return ['text must be a string'];
  return text.length > MAX_MESSAGE_TEXT ? [`text has ${text.length} characters; the limit is ${MAX_MESSAGE_TEXT}`] : [];
}
