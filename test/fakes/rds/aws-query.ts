import { FLOAT_TYPES, INTEGER_TYPES, perModelFile, type Shape } from '../../support/smithy-model.js';

/** Loads (once per path) the awsQuery codec of a Smithy JSON AST model. */
export const loadAwsQueryCodec = perModelFile((shapes) => new AwsQueryCodec(shapes));

/**
 * The awsQuery protocol as AWS's model defines it, for a fake service: form fields (`Tags.Tag.1.Key=…`,
 * `VpcSecurityGroupIds.VpcSecurityGroupId.1=…`, `EnableCloudwatchLogsExports.member.1=…`) decoded into the
 * operation's typed input, and results and errors written as the XML the SDK parses.
 */
export class AwsQueryCodec {
  private readonly namespace: string;

  constructor(private readonly shapes: Record<string, Shape>) {
    const first = Object.keys(shapes)[0] ?? '';
    this.namespace = first.slice(0, first.indexOf('#') + 1);
  }

  /**
   * The operation's input from its form fields, each value converted to its model type (awsQuery sends every
   * value as a string); `unknown` lists the fields no member of the input accounts for.
   */
  decodeInput(operation: string, form: URLSearchParams): { input: Record<string, unknown>; unknown: string[] } {
    const fields = new Map<string, string>();
    for (const [key, value] of form) if (key !== 'Action' && key !== 'Version') fields.set(key, value);
    const used = new Set<string>();
    const target = this.operation(operation).input?.target ?? 'smithy.api#Unit';
    const input = target === 'smithy.api#Unit' ? {} : (this.decode(target, '', fields, used) as Record<string, unknown> | undefined) ?? {};
    return { input, unknown: [...fields.keys()].filter((k) => !used.has(k)) };
  }

  /** The XML body of a successful answer: `<OpResponse><OpResult>…</OpResult><ResponseMetadata/></OpResponse>`. */
  encodeResult(operation: string, result: Record<string, unknown>, requestId: string, xmlns: string): string {
    const output = this.operation(operation).output?.target;
    const body = output ? this.encodeMembers(output, result) : '';
    return `<${operation}Response xmlns="${xmlns}"><${operation}Result>${body}</${operation}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
  }

  /** The XML body of an error answer, and its HTTP status, from the error shape's awsQueryError trait (shapes outside the model: 400 unless given). */
  encodeError(shapeName: string, message: string, requestId: string, xmlns: string, httpStatus?: number): { status: number; body: string; code: string } {
    const shape = this.shapes[this.namespace + shapeName];
    const trait = shape?.traits?.['aws.protocols#awsQueryError'] as { code: string; httpResponseCode: number } | undefined;
    const code = trait?.code ?? shapeName;
    const status = httpStatus ?? trait?.httpResponseCode ?? (shape?.traits?.['smithy.api#httpError'] as number | undefined) ?? 400;
    const type = shape?.traits?.['smithy.api#error'] === 'server' || status >= 500 ? 'Receiver' : 'Sender';
    return {
      status,
      code,
      body: `<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }

  /** The short names of the errors an operation declares. */
  errorsOf(operation: string): string[] {
    return (this.operation(operation).errors ?? []).map((e) => e.target.slice(e.target.indexOf('#') + 1));
  }

  private operation(name: string): Shape {
    const op = this.shapes[this.namespace + name];
    if (op?.type !== 'operation') throw new Error(`no operation ${name} in the model`);
    return op;
  }

  private shape(id: string): Shape {
    if (id.startsWith('smithy.api#')) {
      const name = id.slice('smithy.api#'.length).replace(/^Primitive/, '');
      return { type: name.charAt(0).toLowerCase() + name.slice(1) };
    }
    const shape = this.shapes[id];
    if (!shape) throw new Error(`model refers to missing shape ${id}`);
    return shape;
  }

  private decode(id: string, prefix: string, fields: Map<string, string>, used: Set<string>): unknown {
    const shape = this.shape(id);
    const under = (key: string) => [...fields.keys()].some((k) => k === key || k.startsWith(`${key}.`));
    if (shape.type === 'structure') {
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const key = `${prefix ? `${prefix}.` : ''}${(member.traits?.['smithy.api#xmlName'] as string | undefined) ?? name}`;
        if (under(key)) out[name] = this.decode(member.target, key, fields, used);
      }
      return out;
    }
    if (shape.type === 'list' || shape.type === 'set') {
      if (fields.get(prefix) === '') {
        used.add(prefix);
        return [];
      }
      const item = shape.member!;
      const flattened = item.traits?.['smithy.api#xmlFlattened'] !== undefined;
      const base = flattened ? prefix : `${prefix}.${(item.traits?.['smithy.api#xmlName'] as string | undefined) ?? 'member'}`;
      const indexes = new Set<number>();
      for (const key of fields.keys()) {
        const m = new RegExp(`^${escapeRegExp(base)}\\.(\\d+)(?:\\.|$)`).exec(key);
        if (m) indexes.add(Number(m[1]));
      }
      return [...indexes].sort((a, b) => a - b).map((i) => this.decode(item.target, `${base}.${i}`, fields, used));
    }
    const raw = fields.get(prefix);
    if (raw === undefined) return undefined;
    used.add(prefix);
    if (shape.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
    if (INTEGER_TYPES.has(shape.type)) return /^-?\d+$/.test(raw) ? Number(raw) : raw;
    if (FLOAT_TYPES.has(shape.type)) return Number.isNaN(Number(raw)) ? raw : Number(raw);
    return raw;
  }

  private encodeMembers(id: string, value: Record<string, unknown>): string {
    const shape = this.shape(id);
    const members = shape.members ?? {};
    for (const key of Object.keys(value)) if (!members[key]) throw new Error(`${id} has no member ${key}`);
    return Object.entries(members)
      .filter(([name]) => value[name] !== undefined && value[name] !== null)
      .map(([name, member]) => this.encode(member.target, value[name], (member.traits?.['smithy.api#xmlName'] as string | undefined) ?? name))
      .join('');
  }

  private encode(id: string, value: unknown, element: string): string {
    const shape = this.shape(id);
    if (shape.type === 'structure') return `<${element}>${this.encodeMembers(id, value as Record<string, unknown>)}</${element}>`;
    if (shape.type === 'list' || shape.type === 'set') {
      const item = shape.member!;
      const itemName = (item.traits?.['smithy.api#xmlName'] as string | undefined) ?? 'member';
      const items = (value as unknown[]).map((v) => this.encode(item.target, v, itemName)).join('');
      return item.traits?.['smithy.api#xmlFlattened'] !== undefined ? (value as unknown[]).map((v) => this.encode(item.target, v, element)).join('') : `<${element}>${items}</${element}>`;
    }
    if (shape.type === 'timestamp') {
      const date = value instanceof Date ? value : new Date(value as string | number);
      return `<${element}>${date.toISOString()}</${element}>`;
    }
    return `<${element}>${escapeXml(String(value))}</${element}>`;
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
