import type { ECSClientConfig } from '@aws-sdk/client-ecs';

/** The SDK's retry strategy interface; every v3 client takes the same one, so one client's config names it for all. */
export type RetryStrategyV2 = Extract<NonNullable<ECSClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;

/**
 * Retries throttling and transient errors (as the SDK's standard strategy does) without waiting between
 * attempts, so tests exercise retries without sleeping real seconds.
 */
export function instantRetries(maxAttempts: number): RetryStrategyV2 {
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
