import { readFileSync } from 'node:fs';

interface MemberRef {
  target: string;
  traits?: Record<string, unknown>;
}

/** One shape of a Smithy JSON AST model, with the fields the fakes read. */
export interface Shape {
  type: string;
  members?: Record<string, MemberRef>;
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  input?: MemberRef;
  output?: MemberRef;
  errors?: MemberRef[];
  traits?: Record<string, unknown>;
}

/** A Smithy JSON AST model (AWS api-models format), asked whether a decoded request matches an operation's input. */
export interface SmithyModel {
  /** Short names of every operation in the model, sorted. */
  operationNames(): string[];
  /** Whether the operation carries `smithy.api#readonly` (Describe*, List*, Get*…), i.e. changes nothing. */
  isReadOnly(operation: string): boolean;
  /** Everything wrong with `body` as the input of `operation`, one readable line per problem; empty when it fits. */
  checkInput(operation: string, body: unknown): string[];
}

/** Smithy's integer shape types. */
export const INTEGER_TYPES = new Set(['byte', 'short', 'integer', 'long', 'bigInteger']);
/** Smithy's floating-point shape types. */
export const FLOAT_TYPES = new Set(['float', 'double', 'bigDecimal']);
// JSON protocols carry non-finite floats as these strings.
const FLOAT_SPECIALS = new Set(['NaN', 'Infinity', '-Infinity']);

/** A loader that builds something from the shapes of a Smithy JSON AST model file once per path, then hands out the same one. */
export function perModelFile<T>(build: (shapes: Record<string, Shape>) => T): (path: string) => T {
  const built = new Map<string, T>();
  return (path) => {
    let value = built.get(path);
    if (!value) {
      value = build((JSON.parse(readFileSync(path, 'utf8')) as { shapes: Record<string, Shape> }).shapes);
      built.set(path, value);
    }
    return value;
  };
}

/** Loads (once per path) a Smithy JSON AST model file. */
export const loadSmithyModel = perModelFile<SmithyModel>((shapes) => new ModelChecker(shapes));

class ModelChecker implements SmithyModel {
  private readonly operations = new Map<string, Shape>();

  constructor(private readonly shapes: Record<string, Shape>) {
    for (const [id, shape] of Object.entries(shapes)) {
      if (shape.type === 'operation') this.operations.set(shortName(id), shape);
    }
  }

  operationNames(): string[] {
    return [...this.operations.keys()].sort();
  }

  isReadOnly(operation: string): boolean {
    return this.operations.get(operation)?.traits?.['smithy.api#readonly'] !== undefined;
  }

  checkInput(operation: string, body: unknown): string[] {
    const op = this.operations.get(operation);
    if (!op) return [`unknown operation ${operation}`];
    const problems: string[] = [];
    // An operation without input (smithy.api#Unit) still receives `{}` over JSON protocols.
    this.check(op.input?.target ?? 'smithy.api#Unit', body ?? {}, '', problems);
    return problems;
  }

  private shape(id: string): Shape {
    if (id === 'smithy.api#Unit') return { type: 'structure', members: {} };
    // Prelude shapes (smithy.api#String, smithy.api#PrimitiveBoolean…) are named after their type.
    if (id.startsWith('smithy.api#')) {
      const name = shortName(id).replace(/^Primitive/, '');
      return { type: name.charAt(0).toLowerCase() + name.slice(1) };
    }
    const shape = this.shapes[id];
    if (!shape) throw new Error(`model refers to missing shape ${id}`);
    return shape;
  }

  private check(id: string, value: unknown, path: string, problems: string[]): void {
    const shape = this.shape(id);
    const at = path || '(input)';
    const wrong = (expected: string) => problems.push(`${at}: expected ${expected}, got ${describe(value)}`);
    switch (shape.type) {
      case 'structure':
      case 'union':
        if (!isPlainObject(value)) return void wrong(`${shape.type} ${shortName(id)}`);
        return this.checkMembers(id, shape, value, path, problems);
      case 'list':
      case 'set':
        if (!Array.isArray(value)) return void wrong('list');
        return value.forEach((item, i) => this.checkItem(shape, shape.member, item, `${path}[${i}]`, problems));
      case 'map':
        if (!isPlainObject(value)) return void wrong('map');
        for (const [key, item] of Object.entries(value)) {
          if (shape.key) this.check(shape.key.target, key, `${path}{key ${JSON.stringify(key)}}`, problems);
          this.checkItem(shape, shape.value, item, `${path}[${JSON.stringify(key)}]`, problems);
        }
        return;
      case 'string':
      case 'blob': {
        if (typeof value !== 'string') return void wrong(shape.type);
        // Smithy 1.0 style enums are strings with an `enum` trait.
        const legacy = shape.traits?.['smithy.api#enum'] as { value: string }[] | undefined;
        if (legacy && !legacy.some((e) => e.value === value)) wrong(`one of ${legacy.map((e) => e.value).join('|')}`);
        return;
      }
      case 'enum':
      case 'intEnum': {
        const allowed = Object.values(shape.members ?? {}).map((m) => m.traits?.['smithy.api#enumValue']);
        if (!allowed.includes(value as string | number)) wrong(`one of ${allowed.join('|')}`);
        return;
      }
      case 'boolean':
        if (typeof value !== 'boolean') wrong('boolean');
        return;
      case 'timestamp':
        if (!(typeof value === 'number' && Number.isFinite(value)) && !(typeof value === 'string' && !Number.isNaN(Date.parse(value))))
          wrong('timestamp (epoch seconds or date string)');
        return;
      case 'document':
        return;
      default:
        if (INTEGER_TYPES.has(shape.type)) {
          if (!Number.isInteger(value)) wrong(`${shape.type} (whole number)`);
        } else if (FLOAT_TYPES.has(shape.type)) {
          if (typeof value !== 'number' && !FLOAT_SPECIALS.has(value as string)) wrong(shape.type);
        } else {
          throw new Error(`smithy-model cannot check shape type ${shape.type} (${id})`);
        }
    }
  }

  private checkMembers(id: string, shape: Shape, value: Record<string, unknown>, path: string, problems: string[]): void {
    const members = shape.members ?? {};
    const prefix = path ? `${path}.` : '';
    for (const [name, item] of Object.entries(value)) {
      const member = members[name];
      if (!member) problems.push(`${prefix}${name}: unknown member of ${shortName(id)}`);
      else if (item === null) problems.push(`${prefix}${name}: null is not a value (omit the member instead)`);
      else this.check(member.target, item, `${prefix}${name}`, problems);
    }
    if (shape.type === 'union') {
      const set = Object.keys(value).length;
      if (set !== 1) problems.push(`${path || '(input)'}: union ${shortName(id)} needs exactly one member, got ${set}`);
      return;
    }
    for (const [name, member] of Object.entries(members)) {
      if (member.traits?.['smithy.api#required'] !== undefined && value[name] === undefined) {
        problems.push(`${prefix}${name}: missing required member of ${shortName(id)}`);
      }
    }
  }

  private checkItem(container: Shape, ref: MemberRef | undefined, item: unknown, path: string, problems: string[]): void {
    if (!ref) return;
    if (item === null) {
      if (container.traits?.['smithy.api#sparse'] === undefined) problems.push(`${path}: null in a non-sparse collection`);
      return;
    }
    this.check(ref.target, item, path, problems);
  }
}

function shortName(id: string): string {
  return id.slice(id.indexOf('#') + 1);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
