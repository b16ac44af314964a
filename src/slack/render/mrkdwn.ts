/** Longest user-supplied text (a reason) shown in a Slack message; the audit log keeps all of it. */
export const MAX_USER_TEXT = 500;

/**
 * Makes user text inert in Slack mrkdwn: `&`, `<` and `>` are escaped so nothing can become a
 * mention (`<!channel>`, `<@U…>`) or a link, control characters are dropped, and length is bounded.
 */
export function escapeUserText(text: string, max = MAX_USER_TEXT): string {
  const printable = text.replace(/[\p{Cc}\p{Cf}]/gu, (c) => (c === '\n' || c === '\t' ? ' ' : ''));
  const bounded = [...printable].length > max ? `${[...printable].slice(0, max).join('')}…` : printable;
  return escapeMrkdwn(bounded);
}

/** Escapes Slack's three control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A user mention that Slack renders as a name. */
export function mention(userOrActor: string): string {
  return /^[UW][A-Z0-9]+$/.test(userOrActor) ? `<@${userOrActor}>` : `\`${escapeMrkdwn(userOrActor)}\``;
}

/** Plain text for a Block Kit `plain_text` object, within its length limit. */
export function plain(text: string, max: number): { type: 'plain_text'; text: string; emoji: true } {
  return { type: 'plain_text', text: text.length > max ? `${text.slice(0, max - 1)}…` : text, emoji: true };
}

/** A mrkdwn section, split into several when the text exceeds Slack's 3000-character limit. */
export function sections(text: string): { type: 'section'; text: { type: 'mrkdwn'; text: string } }[] {
  const out: { type: 'section'; text: { type: 'mrkdwn'; text: string } }[] = [];
  let rest = text;
  while (rest.length > 0) {
    let cut = rest.length <= 3000 ? rest.length : rest.lastIndexOf('\n', 3000);
    if (cut <= 0) cut = 3000;
    out.push({ type: 'section', text: { type: 'mrkdwn', text: rest.slice(0, cut) } });
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  return out;
}
