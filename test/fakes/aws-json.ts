import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** Answers in awsJson; `contentType` names the protocol version (application/x-amz-json-1.0 or -1.1). */
export function sendAwsJson(res: ServerResponse, contentType: string, status: number, headers: Record<string, string>, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

/** What AWS's front end answers for an X-Amz-Target it does not route. */
export function sendUnknownOperation(res: ServerResponse, contentType: string): void {
  sendAwsJson(
    res,
    contentType,
    400,
    { 'x-amzn-errortype': 'UnknownOperationException:http://internal.amazon.com/coral/com.amazon.coral.service/' },
    { __type: 'com.amazon.coral.service#UnknownOperationException' },
  );
}
