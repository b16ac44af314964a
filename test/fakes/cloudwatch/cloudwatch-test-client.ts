import { CloudWatchClient, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import { instantRetries } from '../../support/aws-test-retry.js';

/** A CloudWatchClient aimed at a fake CloudWatch, with test credentials and retries that do not wait. */
export function cloudWatchClientFor(
  url: string,
  options: { region?: string; maxAttempts?: number; requestHandler?: CloudWatchClientConfig['requestHandler'] } = {},
): CloudWatchClient {
  const maxAttempts = options.maxAttempts ?? 3;
  return new CloudWatchClient({
    region: options.region ?? 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts,
    retryStrategy: instantRetries(maxAttempts),
    ...(options.requestHandler === undefined ? {} : { requestHandler: options.requestHandler }),
  });
}
