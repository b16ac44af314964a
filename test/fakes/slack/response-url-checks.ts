import { checkBlocks, checkText } from './block-kit.js';

// What Slack documents for a JSON post to a response_url.
const KNOWN_FIELDS = new Set([
  'text',
  'blocks',
  'attachments',
  'response_type',
  'replace_original',
  'delete_original',
  'thread_ts',
  'mrkdwn',
  'unfurl_links',
  'unfurl_media',
]);

/** Problems with a JSON body posted to a response_url; empty when Slack would accept it. */
export function checkResponseUrlBody(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(name)) problems.push(`unknown field "${name}" in a response_url body`);
  }
  const responseType = body.response_type;
  if (responseType !== undefined && responseType !== 'in_channel' && responseType !== 'ephemeral') {
    problems.push(`response_type must be "in_channel" or "ephemeral", not ${JSON.stringify(responseType)}`);
  }
  if (body.delete_original !== true && body.text === undefined && body.blocks === undefined && body.attachments === undefined) {
    problems.push('one of text, blocks, attachments or delete_original is required');
  }
  if (body.blocks !== undefined) problems.push(...checkBlocks(body.blocks));
  problems.push(...checkText(body.text));
  return problems;
}
