import { instantRetries } from './aws-test-retry.js';

/** What a test may choose for an SDK client aimed at a fake; `Handler` is that client's requestHandler type. */
export interface AwsTestClientOptions<Handler> {
  /** Default us-east-1. */
  region?: string;
  /** Attempts in all, retries included. Default 3. */
  maxAttempts?: number;
  requestHandler?: Handler;
}

/** Config for any v3 SDK client aimed at a fake at `url`: test credentials and retries that do not wait. */
export function awsTestClientConfig<Handler>(url: string, options: AwsTestClientOptions<Handler> = {}) {
  const maxAttempts = options.maxAttempts ?? 3;
  return {
    region: options.region ?? 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts,
    retryStrategy: instantRetries(maxAttempts),
    ...(options.requestHandler === undefined ? {} : { requestHandler: options.requestHandler }),
  };
}
