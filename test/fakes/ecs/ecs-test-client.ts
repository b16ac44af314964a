import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';

type RetryStrategyV2 = Extract<NonNullable<ECSClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;

/**
 * Retries throttling and transient errors (as the SDK's standard strategy does) without waiting between
 * attempts, so tests exercise retries without sleeping real seconds.
 */
function instantRetries(maxAttempts: number): RetryStrategyV2 {
  const token = (retries: number) => ({ getRetryCount: () => retries, getRetryDelay: () => 0 });
  return {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, info) => {
      const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
      if (!retryable || previous.getRetryCount() + 1 >= maxAttempts) throw info.error ?? new Error('no retries left');
      return token(previous.getRetryCount() + 1);
    },
    recordSuccess: () => {},
  };
}

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
