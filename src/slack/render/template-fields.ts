/**
 * Checks every field a template names against the shape of the sample views, before anything is
 * rendered. Handlebars' strict mode only catches a misspelt field on a path the sample render takes,
 * and never inside `{{#if}}` (whose arguments are looked up leniently): `{{#if reasn}}` would just
 * be false forever, and a typo in the `failed` branch would surface at the end of a failed rollback.
 */

/** What the sample views say a value of the view looks like. */
export type Shape =
  | { kind: 'object'; fields: Map<string, Shape> }
  | { kind: 'list'; item: Shape }
  | { kind: 'scalar' }
  // Only ever null (or an item of an empty list) in the samples: nothing can be said about it.
  | { kind: 'unknown' };

/** Where a string leaf is rendered: its context (innermost last) and the `@` variables it has. */
export interface FieldScope {
  root: Shape;
  contexts: { shape: Shape; label: string }[];
  data: Set<string>;
  blockParams: Map<string, Shape>;
}

const UNKNOWN: Shape = { kind: 'unknown' };
const SCALAR: Shape = { kind: 'scalar' };
const ITEM_DATA = ['index', 'first', 'last', 'key'];

/** The shape of a sample value. */
export function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined) return UNKNOWN;
  if (Array.isArray(value)) return { kind: 'list', item: value.map(shapeOf).reduce(mergeShapes, UNKNOWN) };
  if (typeof value === 'object') return { kind: 'object', fields: new Map(Object.entries(value).map(([k, v]) => [k, shapeOf(v)])) };
  return SCALAR;
}

/** The shape that admits what either sample showed. */
export function mergeShapes(a: Shape, b: Shape): Shape {
  if (a.kind === 'unknown') return b;
  if (b.kind === 'unknown') return a;
  if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', item: mergeShapes(a.item, b.item) };
  if (a.kind === 'object' && b.kind === 'object') {
    const fields = new Map(a.fields);
    for (const [k, v] of b.fields) fields.set(k, mergeShapes(fields.get(k) ?? UNKNOWN, v));
    return { kind: 'object', fields };
  }
  return a.kind === b.kind ? a : UNKNOWN;
}

/** The scope of a top-level string leaf. */
export function viewScope(root: Shape): FieldScope {
  return { root, contexts: [{ shape: root, label: '' }], data: new Set(['root']), blockParams: new Map() };
}

/** The scope of a `$item` repeated over `items` (a list of `itemShape`), as `$each` renders it. */
export function itemScope(outer: FieldScope, itemShape: Shape, label: string): FieldScope {
  return { root: outer.root, contexts: [{ shape: itemShape, label }], data: new Set(['root', ...ITEM_DATA]), blockParams: new Map() };
}

/** Resolves a path in a scope: its shape, or the problem with it. */
export function resolvePath(path: Pick<hbs.AST.PathExpression, 'data' | 'depth' | 'parts' | 'original'>, scope: FieldScope): { shape: Shape; label: string } | string {
  let [first, ...rest] = path.parts;
  let at: { shape: Shape; label: string } | undefined;
  if (path.data) {
    if (first === 'root') {
      at = { shape: scope.root, label: '' };
    } else if (first !== undefined && scope.data.has(first)) {
      return { shape: SCALAR, label: `@${first}` };
    } else {
      return `@${first ?? ''} is not available here (only inside {{#each}} or a $each item)`;
    }
    [first, ...rest] = rest;
  } else if (path.depth === 0 && first !== undefined && scope.blockParams.has(first) && !path.original.startsWith('this')) {
    at = { shape: scope.blockParams.get(first) ?? UNKNOWN, label: first };
    [first, ...rest] = rest;
  } else {
    at = scope.contexts[scope.contexts.length - 1 - path.depth];
    if (!at) return `"${path.original}" has no parent context here (@root.… reaches the view)`;
  }
  for (const part of first === undefined ? [] : [first, ...rest]) {
    const shape: Shape = at.shape;
    const label: string = at.label === '' ? part : `${at.label}.${part}`;
    if (shape.kind === 'unknown') return { shape: UNKNOWN, label };
    if (shape.kind === 'object' && shape.fields.has(part)) {
      at = { shape: shape.fields.get(part) ?? UNKNOWN, label };
    } else if (shape.kind === 'list' && part === 'length') {
      at = { shape: SCALAR, label };
    } else {
      return `"${part}" not defined in ${at.label === '' ? 'the view' : at.label}`;
    }
  }
  return at;
}

const HELPERS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log']);

function isHelperCall(path: hbs.AST.Expression, params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined): boolean {
  const p = path as hbs.AST.PathExpression;
  return p.type === 'PathExpression' && (HELPERS.has(p.original) || params.length > 0 || (hash?.pairs.length ?? 0) > 0);
}

function checkExpression(node: hbs.AST.Expression, scope: FieldScope, problems: string[]): Shape {
  if (node.type === 'SubExpression') {
    const sub = node as hbs.AST.SubExpression;
    checkCall(sub.path, sub.params, sub.hash, scope, problems);
    return UNKNOWN;
  }
  if (node.type !== 'PathExpression') return SCALAR;
  const resolved = resolvePath(node as hbs.AST.PathExpression, scope);
  if (typeof resolved === 'string') {
    problems.push(resolved);
    return UNKNOWN;
  }
  return resolved.shape;
}

function checkCall(path: hbs.AST.PathExpression, params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined, scope: FieldScope, problems: string[]): void {
  if (!HELPERS.has(path.original)) problems.push(`unknown helper "${path.original}" (available: ${[...HELPERS].join(', ')})`);
  for (const param of params) checkExpression(param, scope, problems);
  for (const pair of hash?.pairs ?? []) checkExpression(pair.value, scope, problems);
}

function checkBlock(block: hbs.AST.BlockStatement, scope: FieldScope, problems: string[]): void {
  const helper = block.path.original;
  let inner = scope;
  if (helper === 'each' || helper === 'with' || !isHelperCall(block.path, block.params, block.hash)) {
    const target = helper === 'each' || helper === 'with' ? block.params[0] : block.path;
    const label = target?.type === 'PathExpression' ? (target as hbs.AST.PathExpression).original : helper;
    const shape = target ? checkExpression(target, scope, problems) : UNKNOWN;
    if (helper === 'each' && shape.kind === 'scalar') problems.push(`{{#each ${label}}}: ${label} is not a list`);
    const repeats = shape.kind === 'list' || helper === 'each';
    const context = shape.kind === 'list' ? shape.item : helper === 'each' ? UNKNOWN : shape;
    const names = block.program.blockParams ?? [];
    inner = {
      root: scope.root,
      contexts: [...scope.contexts, { shape: context, label: repeats ? `${label}[]` : label }],
      data: repeats ? new Set([...scope.data, ...ITEM_DATA]) : scope.data,
      blockParams: new Map([...scope.blockParams, ...names.map((name, i): [string, Shape] => [name, i === 0 ? context : SCALAR])]),
    };
    for (const param of helper === 'each' || helper === 'with' ? block.params.slice(1) : []) checkExpression(param, scope, problems);
  } else {
    checkCall(block.path, block.params, block.hash, scope, problems);
  }
  checkProgram(block.program, inner, problems);
  if (block.inverse) checkProgram(block.inverse, scope, problems);
}

function checkProgram(program: hbs.AST.Program, scope: FieldScope, problems: string[]): void {
  for (const statement of program.body) {
    switch (statement.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        break;
      case 'MustacheStatement': {
        const m = statement as hbs.AST.MustacheStatement;
        if (m.path.type !== 'PathExpression') break;
        const path = m.path as hbs.AST.PathExpression;
        if (isHelperCall(path, m.params, m.hash)) checkCall(path, m.params, m.hash, scope, problems);
        else checkExpression(path, scope, problems);
        break;
      }
      case 'BlockStatement':
        checkBlock(statement as hbs.AST.BlockStatement, scope, problems);
        break;
      default:
        problems.push('partials ({{> …}}) and decorators ({{* …}}) are not available in templates');
    }
  }
}

/** Every field of a parsed string leaf that the view does not have, and every helper we do not provide. */
export function checkFields(program: hbs.AST.Program, scope: FieldScope): string[] {
  const problems: string[] = [];
  checkProgram(program, scope, problems);
  return [...new Set(problems)];
}
