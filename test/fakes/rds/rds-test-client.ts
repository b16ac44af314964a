import { RDSClient } from '@aws-sdk/client-rds';
import { instantRetries } from '../../support/aws-test-retry.js';

/** An RDSClient aimed at a fake RDS, with test credentials and retries that do not wait. */
export function rdsClientFor(url: string, options: { region?: string; maxAttempts?: number } = {}): RDSClient {
  const maxAttempts = options.maxAttempts ?? 3;
  return new RDSClient({
    region: options.region ?? 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts,
    retryStrategy: instantRetries(maxAttempts),
  });
}
