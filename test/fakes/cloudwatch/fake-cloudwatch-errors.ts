/**
 * An error the fake answers the way CloudWatch's awsJson1_0 front end does for an awsQueryCompatible service:
 * HTTP status, `__type` shape id and message in the body, and the old awsQuery code in `x-amzn-query-error`.
 */
export class CloudWatchApiError extends Error {
  constructor(
    /** The JSON `__type`, e.g. com.amazonaws.cloudwatch#InvalidNextToken. */
    readonly type: string,
    /** The awsQuery error code the SDK names the error after, e.g. InvalidNextToken. */
    readonly queryCode: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }

  /** Who is to blame, as the awsQuery error header says it. */
  get fault(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

const NS = 'com.amazonaws.cloudwatch#';

/** A constraint the model states but the Smithy checker does not enforce (lengths, ranges, patterns). */
export function validationError(message: string): CloudWatchApiError {
  return new CloudWatchApiError(`${NS}ValidationException`, 'ValidationError', message);
}

/** A body that is not what the protocol carries. */
export function serializationError(message: string): CloudWatchApiError {
  return new CloudWatchApiError('com.amazon.coral.service#SerializationException', 'SerializationException', message);
}

/** A member value CloudWatch refuses. */
export function invalidParameterValue(message: string): CloudWatchApiError {
  return new CloudWatchApiError(`${NS}InvalidParameterValueException`, 'InvalidParameterValue', message);
}

/** Two members that must not be given together. */
export function invalidParameterCombination(message: string): CloudWatchApiError {
  return new CloudWatchApiError(`${NS}InvalidParameterCombinationException`, 'InvalidParameterCombination', message);
}

/** A NextToken this query did not hand out. */
export function invalidNextToken(): CloudWatchApiError {
  return new CloudWatchApiError(`${NS}InvalidNextToken`, 'InvalidNextToken', 'The service returned an invalid next token.');
}

/** The answer to a request over the account's TPS quota. */
export function throttling(): CloudWatchApiError {
  return new CloudWatchApiError('com.amazon.coral.availability#ThrottlingException', 'Throttling', 'Rate exceeded');
}

/** CloudWatch's own failure. */
export function internalFailure(message = 'Internal service failure.'): CloudWatchApiError {
  return new CloudWatchApiError(`${NS}InternalServiceFault`, 'InternalServiceError', message, 500);
}

/** A request the model allows but the fake does not model; the server reports it as a violation. */
export class NotModelled extends Error {}
