import { RDSClient, type RDSClientConfig } from '@aws-sdk/client-rds';
import { awsTestClientConfig, type AwsTestClientOptions } from '../../support/aws-test-client.js';

/** An RDSClient aimed at a fake RDS, with test credentials and retries that do not wait. */
export function rdsClientFor(url: string, options: AwsTestClientOptions<RDSClientConfig['requestHandler']> = {}): RDSClient {
  return new RDSClient(awsTestClientConfig(url, options));
}
