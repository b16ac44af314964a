import Handlebars from 'handlebars';
import { checkFields, itemScope, resolvePath, viewScope, type FieldScope, type Shape } from './template-fields.js';

/** A template's tree with every string leaf compiled, ready to render any number of times. */
export type TemplateNode =
  | { kind: 'text'; at: string; render: Handlebars.TemplateDelegate }
  | { kind: 'literal'; value: number | boolean | null }
  | { kind: 'list'; items: ListItem[] }
  | { kind: 'map'; entries: [string, TemplateNode][] };

/** An item of a list: a node, or a `$each` that repeats its `$item` once per element of a view list. */
export type ListItem = { kind: 'node'; at: string; node: TemplateNode } | EachItem;

/** `{ $each: path, $item: node, $max?: n }`. */
export interface EachItem {
  kind: 'each';
  at: string;
  fromRoot: boolean;
  path: string[];
  max: number | undefined;
  item: TemplateNode;
}

/** A compiled template file: the notification text and the blocks. */
export interface CompiledTemplate {
  text: TemplateNode;
  blocks: ListItem[];
}

/** A rendered block with where it came from: its path in the file and the `$each` that made it, if any. */
export interface RenderedBlock {
  block: unknown;
  origin: string;
  group: EachItem | undefined;
}

interface Data {
  root: unknown;
  index?: number;
  first?: boolean;
  last?: boolean;
}

const EACH_PATH = /^(@root\.)?[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
const EACH_KEYS = new Set(['$each', '$item', '$max']);

// Our own instance: nothing registered elsewhere (helpers, partials) leaks into operators' templates.
const handlebars = Handlebars.create();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Handlebars' parse error is four lines with every token it could have expected; one line is enough.
function syntaxError(message: string): string {
  const [first, near, , expecting] = message.split('\n');
  if (near === undefined || expecting === undefined) return message;
  const got = /got (\S+)$/.exec(expecting)?.[1];
  return `Handlebars ${first?.replace(/:$/, '').toLowerCase()} near ${JSON.stringify(near)}${got ? `, unexpected ${got}` : ''}`;
}

class Compiler {
  readonly problems: string[] = [];

  node(value: unknown, at: string, scope: FieldScope): TemplateNode {
    if (typeof value === 'string') return this.text(value, at, scope);
    if (Array.isArray(value)) return { kind: 'list', items: value.map((item, i) => this.item(item, `${at}[${i}]`, scope)) };
    if (isRecord(value)) {
      const entries: [string, TemplateNode][] = [];
      for (const [key, child] of Object.entries(value)) {
        if (key === '$each') this.problems.push(`${at}: $each works only as an item of a list`);
        else if (key.startsWith('$')) this.problems.push(`${at}: unknown key "${key}" (only $each, $item and $max are special)`);
        else entries.push([key, this.node(child, `${at}.${key}`, scope)]);
      }
      return { kind: 'map', entries };
    }
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) return { kind: 'literal', value };
    this.problems.push(`${at}: unsupported value ${String(value)}`);
    return { kind: 'literal', value: null };
  }

  private item(value: unknown, at: string, scope: FieldScope): ListItem {
    if (!isRecord(value) || !('$each' in value)) return { kind: 'node', at, node: this.node(value, at, scope) };
    for (const key of Object.keys(value)) {
      if (!EACH_KEYS.has(key)) this.problems.push(`${at}: unknown key "${key}" next to $each (only $item and $max)`);
    }
    const source = value.$each;
    const max = value.$max;
    if (max !== undefined && !(typeof max === 'number' && Number.isInteger(max) && max > 0)) {
      this.problems.push(`${at}.$max: must be a whole number above 0`);
    }
    const invalid: EachItem = { kind: 'each', at, fromRoot: false, path: [], max: undefined, item: { kind: 'literal', value: null } };
    if (!('$item' in value)) {
      this.problems.push(`${at}: $each needs an $item to repeat`);
      return invalid;
    }
    if (typeof source !== 'string' || !EACH_PATH.test(source)) {
      this.problems.push(`${at}.$each: must name a list field of the view, like services or @root.services`);
      return invalid;
    }
    const fromRoot = source.startsWith('@root.');
    const path = source.replace(/^@root\./, '').split('.');
    const resolved = resolvePath({ data: fromRoot, depth: 0, parts: fromRoot ? ['root', ...path] : path, original: source }, scope);
    let itemShape: Shape = { kind: 'unknown' };
    if (typeof resolved === 'string') this.problems.push(`${at}.$each: ${resolved}`);
    else if (resolved.shape.kind === 'list') itemShape = resolved.shape.item;
    else if (resolved.shape.kind !== 'unknown') this.problems.push(`${at}.$each: ${source} is not a list`);
    const item = this.node(value.$item, `${at}.$item`, itemScope(scope, itemShape, `${path.join('.')}[]`));
    return { kind: 'each', at, fromRoot, path, max: typeof max === 'number' ? max : undefined, item };
  }

  private text(source: string, at: string, scope: FieldScope): TemplateNode {
    let program: hbs.AST.Program;
    try {
      program = handlebars.parse(source);
    } catch (error) {
      this.problems.push(`${at}: ${syntaxError((error as Error).message)}`);
      return { kind: 'literal', value: null };
    }
    for (const problem of checkFields(program, scope)) this.problems.push(`${at}: ${problem}`);
    // The view is pre-escaped for mrkdwn (no HTML escaping), and a field the view lacks is an error, not "".
    return { kind: 'text', at, render: handlebars.compile(program, { noEscape: true, strict: true }) };
  }
}

/** Compiles a parsed template file against the shape of its view; the problems name their path in the file. */
export function compileTemplate(source: unknown, viewShape: Shape): CompiledTemplate | { problems: string[] } {
  if (!isRecord(source)) return { problems: ['must be a mapping with text and blocks'] };
  const problems = Object.keys(source)
    .filter((key) => key !== 'text' && key !== 'blocks')
    .map((key) => `unknown key "${key}" (a template has text and blocks)`);
  if (typeof source.text !== 'string') problems.push('text: must be a string (the notification text)');
  if (!Array.isArray(source.blocks) || source.blocks.length === 0) problems.push('blocks: must be a list of at least one block');
  if (problems.length > 0) return { problems };
  const compiler = new Compiler();
  const scope = viewScope(viewShape);
  const text = compiler.node(source.text, 'text', scope);
  const blocks = compiler.node(source.blocks, 'blocks', scope);
  if (compiler.problems.length > 0) return { problems: compiler.problems };
  return { text, blocks: blocks.kind === 'list' ? blocks.items : [] };
}

function elementsOf(each: EachItem, context: unknown, data: Data): unknown[] {
  let value: unknown = each.fromRoot ? data.root : context;
  for (const part of each.path) value = isRecord(value) && Object.hasOwn(value, part) ? value[part] : undefined;
  if (!Array.isArray(value)) throw new Error(`${each.at}.$each: ${each.path.join('.')} is not a list in this view`);
  return each.max === undefined ? value : value.slice(0, each.max);
}

interface RenderedItem {
  value: unknown;
  origin: string;
  group: EachItem | undefined;
}

function renderItems(items: ListItem[], context: unknown, data: Data): RenderedItem[] {
  return items.flatMap((item): RenderedItem[] => {
    if (item.kind === 'node') return [{ value: renderNode(item.node, context, data), origin: item.at, group: undefined }];
    const elements = elementsOf(item, context, data);
    return elements.map((element, index) => ({
      value: renderNode(item.item, element, { root: data.root, index, first: index === 0, last: index === elements.length - 1 }),
      origin: `${item.at}.$item`,
      group: item,
    }));
  });
}

function renderNode(node: TemplateNode, context: unknown, data: Data): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'list':
      return renderItems(node.items, context, data).map((item) => item.value);
    case 'map':
      return Object.fromEntries(node.entries.map(([key, child]) => [key, renderNode(child, context, data)]));
    case 'text':
      try {
        return node.render(context, { data: { ...data } });
      } catch (error) {
        const message = (error as Error).message.replace(/ in \[object Object\]/, ' in the view').replace(/ - (\d+):(\d+)$/, ' (line $1, column $2)');
        throw new Error(`${node.at}: ${message.replace(/\n+/g, ' ')}`, { cause: error });
      }
  }
}

/** Renders a compiled template with a view; throws an Error naming the path in the file when a field is missing. */
export function renderTemplate(template: CompiledTemplate, view: unknown): { text: string; blocks: RenderedBlock[] } {
  const data: Data = { root: view };
  const text = String(renderNode(template.text, view, data));
  const blocks = renderItems(template.blocks, view, data).map(({ value, origin, group }) => ({ block: value, origin, group }));
  return { text, blocks };
}
