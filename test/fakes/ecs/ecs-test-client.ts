import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { instantRetries } from '../../support/aws-test-retry.js';

/** An ECSClient aimed at a fake ECS, with test credentials and retries that do not wait. */
export function ecsClientFor(
  url: string,
  options: { region?: string; maxAttempts?: number; requestHandler?: ECSClientConfig['requestHandler'] } = {},
): ECSClient {
  const maxAttempts = options.maxAttempts ?? 3;
  return new ECSClient({
    region: options.region ?? 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts,
    retryStrategy: instantRetries(maxAttempts),
    ...(options.requestHandler === undefined ? {} : { requestHandler: options.requestHandler }),
  });
}
