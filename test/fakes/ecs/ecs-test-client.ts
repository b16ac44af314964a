import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { awsTestClientConfig, type AwsTestClientOptions } from '../../support/aws-test-client.js';

/** An ECSClient aimed at a fake ECS, with test credentials and retries that do not wait. */
export function ecsClientFor(url: string, options: AwsTestClientOptions<ECSClientConfig['requestHandler']> = {}): ECSClient {
  return new ECSClient(awsTestClientConfig(url, options));
}
