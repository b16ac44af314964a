/** The lexical side of the `/rollback` grammar: words, options, and what to show of user text. */

/** Slack encodes `&`, `<` and `>` in command text; the audit log keeps what the person typed. */
export function decodeSlackEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Splits command text into words. */
export function tokenize(text: string): string[] {
  return text.split(/\s+/u).filter((w) => w.length > 0);
}

/** Phones and macOS turn `--` into an em or en dash; people mean the option all the same. */
export function normalizeOption(word: string): string {
  return word.replace(/^(?:—|–|-{1,2})/u, '--').toLowerCase();
}

/** Whether a word is an option (`--x`, or a dash a phone made of it). */
export function isOption(word: string): boolean {
  return /^(?:--|—|–)\S/u.test(word);
}

/** A short, printable excerpt of user text for an error answer. */
export function display(word: string): string {
  const printable = word.replace(/[\p{Cc}\p{Cf}`]/gu, '');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}

/** ` Did you mean `x`?` for a close match among `choices`, or nothing. */
export function didYouMean(word: string, choices: string[]): string {
  let best: { choice: string; distance: number } | null = null;
  for (const choice of choices) {
    const distance = editDistance(word, choice);
    if (distance <= Math.max(1, Math.floor(choice.length / 3)) && (!best || distance < best.distance)) best = { choice, distance };
  }
  return best ? ` Did you mean \`${best.choice}\`?` : '';
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}
