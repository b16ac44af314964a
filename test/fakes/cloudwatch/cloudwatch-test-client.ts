import { CloudWatchClient, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import { awsTestClientConfig, type AwsTestClientOptions } from '../../support/aws-test-client.js';

/** A CloudWatchClient aimed at a fake CloudWatch, with test credentials and retries that do not wait. */
export function cloudWatchClientFor(
  url: string,
  options: AwsTestClientOptions<CloudWatchClientConfig['requestHandler']> = {},
): CloudWatchClient {
  return new CloudWatchClient(awsTestClientConfig(url, options));
}
