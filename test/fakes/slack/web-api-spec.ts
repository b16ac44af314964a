import { readFileSync } from 'node:fs';
import path from 'node:path';
import { slackSpecsDir } from './specs-dir.js';

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
}

interface MethodParams {
  known: Set<string>;
  required: Set<string>;
}

// The spec is a 2020 snapshot; Slack has documented these arguments since (docs.slack.dev method pages).
const ADDED_SINCE_SNAPSHOT: Record<string, readonly string[]> = {
  'chat.postMessage': ['metadata', 'markdown_text'],
  'chat.postEphemeral': ['markdown_text'],
  'chat.update': ['metadata', 'markdown_text', 'file_ids', 'reply_broadcast'],
};

// Slack accepts the token as a body argument too, and the SDK adds team_id for org-wide apps.
const ACCEPTED_EVERYWHERE = ['token', 'team_id'];

// Slack refuses a message with nothing to show (`no_text`), though the spec marks none of these required.
const MESSAGE_CONTENT = ['text', 'blocks', 'attachments', 'markdown_text'];
const NEEDS_CONTENT = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.update']);

let table: Map<string, MethodParams> | undefined;

// The spec is 1.2 MB: read it once per process and keep only the argument names.
function methodTable(): Map<string, MethodParams> {
  if (table) return table;
  const spec = JSON.parse(readFileSync(path.join(slackSpecsDir, 'slack_web_openapi_v2.json'), 'utf8')) as {
    paths: Record<string, Record<string, { parameters?: OpenApiParameter[] }>>;
  };
  table = new Map();
  for (const [route, operations] of Object.entries(spec.paths)) {
    const known = new Set<string>(ACCEPTED_EVERYWHERE);
    const required = new Set<string>();
    // Verbs are not trusted (views.open is declared GET, the SDK POSTs everything): merge them all.
    for (const operation of Object.values(operations)) {
      for (const parameter of operation.parameters ?? []) {
        // The token is declared as a header or query argument; the SDK sends `Authorization: Bearer`.
        if (parameter.name === 'token') continue;
        known.add(parameter.name);
        if (parameter.required) required.add(parameter.name);
      }
    }
    const method = route.replace(/^\//, '');
    for (const name of ADDED_SINCE_SNAPSHOT[method] ?? []) known.add(name);
    table.set(method, { known, required });
  }
  return table;
}

/** Problems with a Web API call's argument names, per the OpenAPI spec; empty when the call is well formed. */
export function checkApiParams(method: string, params: Record<string, unknown>): string[] {
  const spec = methodTable().get(method);
  if (!spec) return [`${method} is not in the Web API spec`];
  const problems: string[] = [];
  for (const name of Object.keys(params)) {
    if (!spec.known.has(name)) problems.push(`unknown argument "${name}" for ${method}`);
  }
  for (const name of spec.required) {
    if (params[name] === undefined || params[name] === '') problems.push(`missing required argument "${name}"`);
  }
  if (NEEDS_CONTENT.has(method) && !MESSAGE_CONTENT.some((name) => params[name] !== undefined && params[name] !== '')) {
    problems.push(`one of ${MESSAGE_CONTENT.join(', ')} is required`);
  }
  return problems;
}
