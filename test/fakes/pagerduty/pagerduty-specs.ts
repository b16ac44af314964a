import { readFileSync } from 'node:fs';
import path from 'node:path';
import { specPath } from '../../specs/specs.js';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const specsDir = specPath('pagerduty');

/** The REST operations the fake serves, by operationId. */
export type RestOperation = 'createIncident' | 'createIncidentNote' | 'updateIncident';

const REST_PATHS: Record<RestOperation, { path: string; method: string; success: string }> = {
  createIncident: { path: '/incidents', method: 'post', success: '201' },
  createIncidentNote: { path: '/incidents/{id}/notes', method: 'post', success: '200' },
  updateIncident: { path: '/incidents/{id}', method: 'put', success: '200' },
};

// PagerDuty's Events API overview documents these limits in prose; the OpenAPI file does not.
const MAX_SUMMARY = 1024;
const MAX_DEDUP_KEY = 255;

// Formats the REST file uses that are neither JSON Schema's nor ajv-formats'; only their names matter here.
const PAGERDUTY_FORMATS = ['tzinfo', 'activesupport-time-zone', 'TEXTAREA', 'partial-time'];

interface HeaderParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { default?: string };
}

/** A header the operation declares, and where its schema is, for Ajv. */
interface DeclaredHeader extends HeaderParameter {
  schemaRef: string;
}

interface Specs {
  ajv: Ajv;
  headers: Map<RestOperation, DeclaredHeader[]>;
  compiled: Map<string, ValidateFunction>;
}

let specs: Specs | undefined;

/**
 * Reads both specs and compiles the request checks, once per process (the REST file is 2.7 MB). The fake calls it
 * when it starts, so that the first request is not slowed past a test's short client deadline.
 */
export function preparePagerDutySpecs(): void {
  validator(EVENT_SCHEMA);
  for (const { path: route, method } of Object.values(REST_PATHS)) validator(requestSchema(route, method));
  for (const headers of load().headers.values()) for (const header of headers) validator(header.schemaRef);
}

function load(): Specs {
  if (specs) return specs;
  const read = (file: string) => JSON.parse(readFileSync(path.join(specsDir, file), 'utf8')) as OpenApi;
  const rest = read('rest-openapiv3.json');
  const events = read('events-v2-openapiv3.json');
  // Quirk: IncidentBody.details is typed `object`, yet the spec's own createIncident example, PagerDuty's docs and
  // its clients send a string. Accepting both keeps the check on everything else in the body.
  const incidentBody = rest.components.schemas.IncidentBody as { properties: { details: Record<string, unknown> } };
  incidentBody.properties.details = { ...incidentBody.properties.details, type: ['string', 'object'] };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormatsModule.default(ajv);
  // Quirk: Events links and images use the non-standard `format: url`.
  ajv.addFormat('url', { validate: (value: string) => URL.canParse(value) });
  for (const name of PAGERDUTY_FORMATS) ajv.addFormat(name, true);
  ajv.addSchema(rest, 'pagerduty-rest');
  ajv.addSchema(events, 'pagerduty-events');
  const headers = new Map<RestOperation, DeclaredHeader[]>();
  for (const [operation, { path: route, method }] of Object.entries(REST_PATHS) as [RestOperation, (typeof REST_PATHS)[RestOperation]][]) {
    const declared = (rest.paths[route]?.[method]?.parameters ?? []).map((p, index) => declare(rest, p, pointer('pagerduty-rest', route, method, `parameters/${index}`)));
    headers.set(operation, declared.filter((p) => p.in === 'header'));
  }
  specs = { ajv, headers, compiled: new Map() };
  return specs;
}

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: ({ $ref: string } | HeaderParameter)[] }>>;
  components: { schemas: Record<string, unknown>; parameters?: Record<string, HeaderParameter> };
}

function declare(spec: OpenApi, parameter: { $ref: string } | HeaderParameter, inlineRef: string): DeclaredHeader {
  if (!('$ref' in parameter)) return { ...parameter, schemaRef: `${inlineRef}/schema` };
  const resolved = spec.components.parameters?.[parameter.$ref.replace('#/components/parameters/', '')];
  if (!resolved) throw new Error(`PagerDuty REST spec: unresolved parameter ${parameter.$ref}`);
  return { ...resolved, schemaRef: `pagerduty-rest${parameter.$ref}/schema` };
}

function validator(ref: string): ValidateFunction {
  const { ajv, compiled } = load();
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  return validate;
}

function pointer(spec: string, route: string, method: string, rest: string): string {
  return `${spec}#/paths/${route.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/${rest}`;
}

const EVENT_SCHEMA = pointer('pagerduty-events', '/enqueue', 'post', 'requestBody/content/application~1json/schema');

function requestSchema(route: string, method: string): string {
  return pointer('pagerduty-rest', route, method, 'requestBody/content/application~1json/schema');
}

function problemsOf(validate: ValidateFunction, value: unknown, what: string): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${what}${e.instancePath || ''} ${e.message ?? 'is invalid'}`);
}

/** Problems with an Events API v2 `POST /v2/enqueue` body: the spec's schema and the rules it states only in prose. */
export function checkEvent(body: unknown): string[] {
  const problems = problemsOf(validator(EVENT_SCHEMA), body, 'event');
  if (typeof body !== 'object' || body === null) return problems;
  const event = body as { event_action?: unknown; payload?: { summary?: unknown }; dedup_key?: unknown };
  if (event.event_action === 'trigger' && event.payload === undefined) problems.push('event: a trigger needs a payload (summary, source, severity)');
  if ((event.event_action === 'acknowledge' || event.event_action === 'resolve') && event.dedup_key === undefined) {
    problems.push(`event: ${String(event.event_action)} needs the dedup_key of the alert`);
  }
  if (typeof event.payload?.summary === 'string' && event.payload.summary.length > MAX_SUMMARY) problems.push(`event/payload/summary is longer than ${MAX_SUMMARY} characters`);
  if (typeof event.dedup_key === 'string' && event.dedup_key.length > MAX_DEDUP_KEY) problems.push(`event/dedup_key is longer than ${MAX_DEDUP_KEY} characters`);
  return problems;
}

/** Problems with a REST request: the operation's required headers (From, Accept, Content-Type), the token's form, and its body schema. */
export function checkRestRequest(operation: RestOperation, headers: Record<string, string>, body: unknown): string[] {
  const problems: string[] = [];
  for (const header of load().headers.get(operation) ?? []) {
    const value = headers[header.name.toLowerCase()];
    if (value === undefined || value === '') {
      if (header.required) problems.push(`header ${header.name} is required`);
      continue;
    }
    problems.push(...headerProblems(header, value));
  }
  if (!/^Token token=\S+$/.test(headers.authorization ?? '')) problems.push('header Authorization must be `Token token=<API key>`');
  const { path: route, method } = REST_PATHS[operation];
  problems.push(...problemsOf(validator(requestSchema(route, method)), body, 'body'));
  return problems;
}

/** Problems with the fake's own success answer to a REST operation, against the spec's response schema. */
export function checkRestResponse(operation: RestOperation, status: number, body: unknown): string[] {
  const { path: route, method, success } = REST_PATHS[operation];
  if (String(status) !== success) return [`status ${status}, the spec's success status is ${success}`];
  return problemsOf(validator(pointer('pagerduty-rest', route, method, `responses/${success}/content/application~1json/schema`)), body, 'response');
}

/** Problems with the fake's own `202` answer to an event, against the Events spec's response schema. */
export function checkEventResponse(body: unknown): string[] {
  return problemsOf(validator('pagerduty-events#/components/responses/Success/content/application~1json/schema'), body, 'response');
}

function headerProblems(header: DeclaredHeader, value: string): string[] {
  // Quirk: the Content-Type enum is exactly `application/json`; pdjs sends `application/json; charset=utf-8`.
  const checked = header.name === 'Content-Type' ? (value.split(';')[0] ?? '').trim() : value;
  const problems = problemsOf(validator(header.schemaRef), checked, `header ${header.name} "${value}"`);
  // The Accept header is the API version switch; the spec states its one value only as the schema's default.
  const expected = header.schema?.default;
  if (header.name === 'Accept' && expected !== undefined && value.replace(/\s/g, '') !== expected) {
    problems.push(`header Accept "${value}" is not ${expected}`);
  }
  return problems;
}
