import type { IncomingMessage, ServerResponse } from 'node:http';

// Arguments the SDK JSON-encodes inside a form body; decoded so that tests and checks see structures.
const JSON_ENCODED_ARGUMENTS = new Set(['blocks', 'attachments', 'metadata', 'file_ids']);

/** Reads a request's whole body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A request's headers as a flat, lower-cased record. */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function decodeJsonArgument(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    // Left as sent, so the checks report it as not being JSON.
    return value;
  }
}

/**
 * Web API arguments from the query string and a form or JSON body, JSON-encoded ones decoded.
 * Returns null when a JSON body does not parse.
 */
export function decodeParams(contentType: string, body: string, query: URLSearchParams): Record<string, unknown> | null {
  const params: Record<string, unknown> = Object.fromEntries(query);
  if (contentType.startsWith('application/json')) {
    const parsed = body.trim() === '' ? {} : decodeJsonArgument(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    Object.assign(params, parsed);
  } else {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
  }
  for (const name of JSON_ENCODED_ARGUMENTS) {
    const value = params[name];
    if (typeof value === 'string') params[name] = decodeJsonArgument(value);
  }
  return params;
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
