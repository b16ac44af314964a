import type { IncomingMessage, ServerResponse } from 'node:http';
import { specPath } from '../../specs/specs.js';
import type { Clock } from '../../../src/ports/clock.js';
import { loadSmithyModel, type SmithyModel } from '../../support/smithy-model.js';
import { sendAwsJson, sendUnknownOperation } from '../aws-json.js';
import { LocalHttpServer } from '../local-http-server.js';
import { readBody } from '../slack/http-io.js';
import { OPERATIONS, serviceDeploymentJson, serviceJson } from './fake-ecs-api.js';
import { EcsApiError } from './fake-ecs-errors.js';
import type { RolloutBehaviour } from './fake-ecs-rollout.js';
import { seedService, type ServiceSeed } from './fake-ecs-scenarios.js';
import { FakeEcsState } from './fake-ecs-state.js';
import type { RegisterInput } from './fake-ecs-task-definitions.js';

/** Settings of a fake ECS. */
export interface FakeEcsOptions {
  /** Drives every rollout: a FakeClock in tests, the system clock in the demo. */
  clock: Clock;
  /** Region for requests whose signature names none, and for seeding. Default us-east-1. */
  region?: string;
  accountId?: string;
  /** The ECS Smithy model requests are checked against. */
  modelPath?: string;
}

/** Something to go wrong with the next calls of an operation. */
export type Fault = 'throttle' | 'server-error' | 'hang' | { status: number; type: string; message: string };

/** A request the fake received. */
export interface RecordedRequest {
  operation: string;
  body: unknown;
  /** Clock time (ms) when it arrived. */
  at: number;
  /** The region it was signed for. */
  region: string;
}

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const JSON_TYPE = 'application/x-amz-json-1.1';
const DEFAULT_MODEL = specPath('aws', 'ecs-2014-11-13.json');

/**
 * ECS over HTTP on 127.0.0.1, speaking awsJson1_1 to the real AWS SDK: every request is checked against the
 * Smithy model and recorded, and services roll out, fail and roll back as the clock moves. Its `url` is the endpoint to
 * give the SDK (or AWS_ENDPOINT_URL_ECS).
 */
export class FakeEcs extends LocalHttpServer {
  readonly state: FakeEcsState;
  readonly region: string;
  readonly requests: RecordedRequest[] = [];
  /** Requests that broke the model (or reached a part of ECS the fake does not implement); a passing suite leaves this empty. */
  readonly violations: string[] = [];
  private readonly model: SmithyModel;
  private readonly faults = new Map<string, Fault[]>();
  private readonly disabled = new Set<string>();

  constructor(options: FakeEcsOptions) {
    super('the fake ECS');
    this.state = new FakeEcsState(options.clock, options.accountId ?? '123456789012');
    this.region = options.region ?? 'us-east-1';
    this.model = loadSmithyModel(options.modelPath ?? DEFAULT_MODEL);
  }

  /** Creates a service (and its cluster) with a history of deployments; see ServiceSeed. */
  addService(seed: ServiceSeed): { serviceArn: string; serviceDeploymentArns: string[] } {
    const service = seedService(this.state, seed, this.region);
    return { serviceArn: service.arn, serviceDeploymentArns: service.history.map((r) => r.arn) };
  }

  /** How deployments started from now on behave: for the whole service, or only those of one task definition. */
  setBehaviour(
    cluster: string,
    service: string,
    behaviour: Partial<RolloutBehaviour>,
    options: { taskDefinition?: string; region?: string } = {},
  ): void {
    const region = options.region ?? this.region;
    const found = this.state.requireService(region, cluster, service);
    if (options.taskDefinition === undefined) {
      found.behaviour = { ...found.behaviour, ...behaviour };
      return;
    }
    const td = this.state.taskDefinitions.resolve(region, options.taskDefinition);
    if (!td) throw new Error(`no task definition ${options.taskDefinition}`);
    found.behaviourByTaskDefinition.set(td.arn, { ...found.behaviourByTaskDefinition.get(td.arn), ...behaviour });
  }

  /** Registers a task definition as RegisterTaskDefinition would (model-checked); returns the TaskDefinition structure. */
  registerTaskDefinition(input: RegisterInput, options: { region?: string } = {}): Record<string, unknown> {
    const problems = this.model.checkInput('RegisterTaskDefinition', input);
    if (problems.length > 0) throw new Error(`not a valid RegisterTaskDefinition input: ${problems.join('; ')}`);
    const td = this.state.taskDefinitions.register(options.region ?? this.region, input, this.state.clock.now());
    return this.state.taskDefinitions.wire(td);
  }

  /** The next `times` calls of `operation` go wrong this way. */
  failNext(operation: string, fault: Fault, times = 1): void {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), ...Array<Fault>(times).fill(fault)]);
  }

  /** The operation answers as an ECS that does not have it (UnknownOperationException), e.g. an older endpoint. */
  disableOperation(operation: string): void {
    this.disabled.add(operation);
  }

  /** The service as DescribeServices would answer now (wire JSON: timestamps in epoch seconds). */
  service(cluster: string, service: string, region = this.region): Record<string, unknown> | undefined {
    const found = this.state.findService(region, cluster, service);
    return found && serviceJson(this.state, found, this.state.clock.now());
  }

  /** The service's deployment history as DescribeServiceDeployments would answer now, newest first. */
  serviceDeployments(cluster: string, service: string, region = this.region): Record<string, unknown>[] {
    const found = this.state.findService(region, cluster, service);
    return [...(found?.history ?? [])].reverse().map((r) => serviceDeploymentJson(this.state, r, this.state.clock.now()));
  }

  /** Requests of one operation, in arrival order. */
  callsTo(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** Requests that could change something (operations the model does not mark read-only). */
  mutatingRequests(): RecordedRequest[] {
    return this.requests.filter((r) => !this.model.isReadOnly(r.operation));
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? this.region;
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      body = text;
    }
    this.requests.push({ operation: operation || String(target ?? ''), body, at: this.state.clock.now(), region });

    const known = this.model.operationNames().includes(operation);
    if (!known) this.violations.push(`${String(target ?? '(no X-Amz-Target)')}: not an ECS operation`);
    if (!known || this.disabled.has(operation)) return sendUnknownOperation(res, JSON_TYPE);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendError(res, new EcsApiError('SerializationException', 'Request body is not a JSON object.'));
    }
    const fault = this.faults.get(operation)?.shift();
    if (fault === 'hang') return; // answered never: the client has to give up (or stop() cuts it)
    if (fault) return sendError(res, faultError(fault));

    const problems = this.model.checkInput(operation, body);
    if (problems.length > 0) {
      this.violations.push(...problems.map((p) => `${operation}: ${p}`));
      return sendError(res, new EcsApiError('InvalidParameterException', problems.join('; ')));
    }
    const handler = OPERATIONS[operation];
    if (!handler) {
      this.violations.push(`${operation}: not implemented by the fake ECS`);
      return sendError(res, new EcsApiError('ServerException', `The fake ECS does not implement ${operation}.`, 500));
    }
    try {
      const result = handler({ state: this.state, region, now: this.state.clock.now() }, body as Record<string, unknown>);
      sendAwsJson(res, JSON_TYPE, 200, {}, result);
    } catch (error) {
      if (error instanceof EcsApiError) return sendError(res, error);
      this.violations.push(`${operation}: the fake ECS crashed: ${String(error)}`);
      sendError(res, new EcsApiError('ServerException', 'The fake ECS crashed; see its violations.', 500));
    }
  }
}

function faultError(fault: Exclude<Fault, 'hang'>): EcsApiError {
  if (fault === 'throttle') return new EcsApiError('ThrottlingException', 'Rate exceeded');
  if (fault === 'server-error') return new EcsApiError('ServerException', 'Service Unavailable. Please try again later.', 500);
  return new EcsApiError(fault.type, fault.message, fault.status);
}

function sendError(res: ServerResponse, error: EcsApiError): void {
  sendAwsJson(res, JSON_TYPE, error.status, { 'x-amzn-errortype': error.type }, { __type: error.type, message: error.message });
}
