import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { specPath } from '../../specs/specs.js';
import type { Clock } from '../../../src/ports/clock.js';
import { loadSmithyModel, type SmithyModel } from '../../support/smithy-model.js';
import { LocalHttpServer } from '../local-http-server.js';
import { readBody } from '../slack/http-io.js';
import { loadAwsQueryCodec, type AwsQueryCodec } from './aws-query.js';
import { instanceXml, OPERATIONS, RdsApiError, snapshotXml } from './fake-rds-api.js';
import { FakeRdsState, type FakeInstance, type FakeSnapshot, type InstanceSeed, type RdsBehaviour } from './fake-rds-state.js';

/** Settings of a fake RDS. */
export interface FakeRdsOptions {
  /** Drives every snapshot and restore: a FakeClock in tests. */
  clock: Clock;
  region?: string;
  accountId?: string;
  /** The RDS Smithy model requests are checked against. */
  modelPath?: string;
}

/** Something to go wrong with the next calls of an operation: an error shape of the model, throttling, or a 500. */
export type RdsFault = 'throttle' | 'server-error' | { shape: string; message: string };

/** A request the fake received, its form fields decoded into the operation's typed input. */
export interface RdsRequest {
  operation: string;
  input: Record<string, unknown>;
  /** Clock time (ms) when it arrived. */
  at: number;
  region: string;
}

const XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const DEFAULT_MODEL = specPath('aws', 'rds-2014-10-31.json');

/**
 * RDS over HTTP on 127.0.0.1, speaking awsQuery to the real AWS SDK (form-encoded `Action=…&Version=2014-10-31`,
 * XML answers, `<ErrorResponse>` errors): every request is decoded with the model's types, checked against its
 * input shape and recorded; snapshots and restores move from `creating` through `backing-up` to `available` as the clock moves.
 * Its `url` is the endpoint to give the SDK (or AWS_ENDPOINT_URL_RDS).
 */
export class FakeRds extends LocalHttpServer {
  readonly state: FakeRdsState;
  readonly requests: RdsRequest[] = [];
  /** Requests that broke the model or reached an operation the fake lacks; a passing suite leaves this empty. */
  readonly violations: string[] = [];
  private readonly model: SmithyModel;
  private readonly codec: AwsQueryCodec;
  private readonly faults = new Map<string, RdsFault[]>();

  constructor(options: FakeRdsOptions) {
    super('the fake RDS');
    this.state = new FakeRdsState(options.clock, options.region ?? 'us-east-1', options.accountId ?? '123456789012');
    this.model = loadSmithyModel(options.modelPath ?? DEFAULT_MODEL);
    this.codec = loadAwsQueryCodec(options.modelPath ?? DEFAULT_MODEL);
  }

  /** Adds a DB instance; unset settings get production-like values (Multi-AZ, gp3, own subnet, security and parameter groups, tags). */
  addInstance(seed: InstanceSeed): FakeInstance {
    return this.state.addInstance(seed);
  }

  /** Adds a snapshot that already exists. */
  addSnapshot(seed: Partial<FakeSnapshot> & { id: string; instanceId: string }): FakeSnapshot {
    return this.state.addSnapshot(seed);
  }

  /** How snapshots and restores started from now on behave. */
  setBehaviour(behaviour: Partial<RdsBehaviour>): void {
    this.state.behaviour = { ...this.state.behaviour, ...behaviour };
  }

  /** The next `times` calls of `operation` go wrong this way. */
  failNext(operation: string, fault: RdsFault, times = 1): void {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), ...Array<RdsFault>(times).fill(fault)]);
  }

  /** The instance as DescribeDBInstances would show it now (wire member names), or undefined. */
  instance(id: string): Record<string, unknown> | undefined {
    const found = this.state.instances.get(id);
    return found && instanceXml(this.state, found);
  }

  /** The snapshot as DescribeDBSnapshots would show it now, or undefined. */
  snapshot(id: string): Record<string, unknown> | undefined {
    const found = this.state.snapshots.get(id);
    return found && snapshotXml(this.state, found);
  }

  /** Requests of one operation, in arrival order. */
  callsTo(operation: string): RdsRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** Requests that could change something: RDS's model marks none read-only, so everything but Describe*. */
  mutatingRequests(): RdsRequest[] {
    return this.requests.filter((r) => !r.operation.startsWith('Describe'));
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const operation = form.get('Action') ?? '';
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? this.state.region;
    const requestId = randomUUID();
    const fail = (shape: string, message: string, status?: number) => {
      const error = this.codec.encodeError(shape, message, requestId, XMLNS, status);
      send(res, error.status, error.body);
    };

    if (req.method !== 'POST' || form.get('Version') !== '2014-10-31' || !this.model.operationNames().includes(operation)) {
      this.violations.push(`${req.method} Action=${operation} Version=${String(form.get('Version'))}: not an RDS 2014-10-31 request`);
      return fail('InvalidAction', `Could not find operation ${operation} for version ${String(form.get('Version'))}.`);
    }
    const { input, unknown } = this.codec.decodeInput(operation, form);
    this.requests.push({ operation, input, at: this.state.clock.now(), region });
    const fault = this.faults.get(operation)?.shift();
    if (fault === 'throttle') return fail('Throttling', 'Rate exceeded');
    if (fault === 'server-error') return fail('InternalFailure', 'An internal error occurred.', 500);
    if (fault) return fail(fault.shape, fault.message);

    const problems = [...unknown.map((k) => `${k}: not a member of ${operation}'s input`), ...this.model.checkInput(operation, input)];
    if (problems.length > 0) {
      this.violations.push(...problems.map((p) => `${operation}: ${p}`));
      return fail('InvalidParameterValue', problems.join('; '));
    }
    const handler = OPERATIONS[operation];
    if (!handler) {
      this.violations.push(`${operation}: not implemented by the fake RDS`);
      return fail('InvalidAction', `The fake RDS does not implement ${operation}.`);
    }
    try {
      send(res, 200, this.codec.encodeResult(operation, handler(this.state, input), requestId, XMLNS));
    } catch (error) {
      if (error instanceof RdsApiError) {
        if (!this.codec.errorsOf(operation).includes(error.shape) && error.shape !== 'InvalidParameterValue') {
          this.violations.push(`${operation}: the fake answered ${error.shape}, which the model does not list for it`);
        }
        return fail(error.shape, error.message);
      }
      this.violations.push(`${operation}: the fake RDS crashed: ${String(error)}`);
      fail('InternalFailure', 'The fake RDS crashed; see its violations.', 500);
    }
  }
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': randomUUID() });
  res.end(body);
}
