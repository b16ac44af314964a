/** What went wrong with an AWS call, in the categories our ports report. */
export type AwsErrorKind =
  | 'throttled'
  | 'not_found'
  | 'access_denied'
  | 'invalid_request'
  | 'unsupported'
  | 'conflict'
  | 'unavailable';

/** A failed AWS call, described for people. */
export interface AwsFailure {
  kind: AwsErrorKind;
  /** Names the service and operation; never holds credentials or signing material. */
  message: string;
  /** The SDK error, to keep as `cause`; left out when it may echo signing material. */
  cause?: unknown;
}

/** Error names (across ECS, CloudWatch, RDS and AWS's front end) whose meaning their HTTP status does not tell. */
const KIND_BY_NAME: Record<string, AwsErrorKind> = {
  ThrottlingException: 'throttled',
  Throttling: 'throttled',
  ThrottledException: 'throttled',
  TooManyRequestsException: 'throttled',
  RequestLimitExceeded: 'throttled',
  RequestThrottled: 'throttled',
  RequestThrottledException: 'throttled',
  AccessDeniedException: 'access_denied',
  AccessDenied: 'access_denied',
  UnauthorizedOperation: 'access_denied',
  UnrecognizedClientException: 'access_denied',
  InvalidClientTokenId: 'access_denied',
  MissingAuthenticationToken: 'access_denied',
  ExpiredToken: 'access_denied',
  ExpiredTokenException: 'access_denied',
  InvalidSignatureException: 'access_denied',
  SignatureDoesNotMatch: 'access_denied',
  IncompleteSignature: 'access_denied',
  UnknownOperationException: 'unsupported',
  UnsupportedFeatureException: 'unsupported',
  UnsupportedOperation: 'unsupported',
  InvalidAction: 'unsupported',
  ConflictException: 'conflict',
  ServiceNotActiveException: 'conflict',
  ResourceInUseException: 'conflict',
  ConcurrentModificationException: 'conflict',
  ServerException: 'unavailable',
  InternalFailure: 'unavailable',
  InternalError: 'unavailable',
  ServiceUnavailable: 'unavailable',
  ServiceUnavailableException: 'unavailable',
  TimeoutError: 'unavailable',
  RequestTimeout: 'unavailable',
  RequestTimeoutException: 'unavailable',
};

/** Errors whose AWS message quotes the canonical request and string to sign. */
const SIGNING_ERRORS = new Set(['InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignature']);

const PHRASES: Record<AwsErrorKind, string> = {
  throttled: 'was throttled by AWS',
  not_found: 'did not find what it was asked for',
  access_denied: 'was denied by AWS',
  invalid_request: 'was rejected as invalid',
  unsupported: 'is not offered by this AWS endpoint',
  conflict: 'conflicts with the current state of the resource',
  unavailable: 'failed: AWS is unavailable or unreachable',
};

const HINTS: Partial<Record<AwsErrorKind, string>> = {
  access_denied: ' Check the IAM permissions and credentials the bot runs with.',
};

const MAX_DETAIL = 300;

/**
 * Classifies an error thrown by an AWS SDK v3 client. `overrides` re-maps error names whose meaning depends
 * on the operation (ECS answers ClientException for an unknown task definition, for instance).
 */
export function describeAwsError(
  error: unknown,
  service: string,
  operation: string,
  overrides: Record<string, AwsErrorKind> = {},
): AwsFailure {
  const { name, message, status, attempts } = readSdkError(error);
  const kind = overrides[name] ?? KIND_BY_NAME[name] ?? kindByShape(name, status);
  const retried = attempts > 1 ? ` after ${attempts} attempts` : '';
  const detail = SIGNING_ERRORS.has(name) ? name : `${name}: ${redact(message)}`.slice(0, MAX_DETAIL);
  return {
    kind,
    message: `${service} ${operation} ${PHRASES[kind]}${retried} (${detail}).${HINTS[kind] ?? ''}`,
    ...(kind === 'access_denied' ? {} : { cause: error }),
  };
}

/** Removes access key ids, credential scopes, signatures and session tokens from text AWS or the SDK produced. */
export function redact(text: string): string {
  return text
    .replace(/\b(?:AKIA|ASIA|AKID)[A-Z0-9]{4,}\b/g, '[redacted]')
    .replace(/(Credential=)[^,\s]+/gi, '$1[redacted]')
    .replace(/(Signature=)[0-9a-f]+/gi, '$1[redacted]')
    .replace(/(X-Amz-Security-Token[=:]\s*)[^&\s]+/gi, '$1[redacted]');
}

function readSdkError(error: unknown): { name: string; message: string; status?: number; attempts: number } {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), attempts: 1 };
  const metadata = (error as { $metadata?: { httpStatusCode?: number; attempts?: number } }).$metadata;
  return { name: error.name, message: error.message, status: metadata?.httpStatusCode, attempts: metadata?.attempts ?? 1 };
}

function kindByShape(name: string, status: number | undefined): AwsErrorKind {
  if (/NotFound(?:Exception|Fault)?$/.test(name)) return 'not_found';
  if (status === undefined) return 'unavailable';
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'access_denied';
  // A JSON-RPC endpoint answers 404 for a path it lacks, and emulators 501 for an operation they lack.
  if (status === 404 || status === 501) return 'unsupported';
  if (status === 409) return 'conflict';
  if (status >= 500) return 'unavailable';
  return 'invalid_request';
}
