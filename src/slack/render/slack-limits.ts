import { sections } from './mrkdwn.js';
import type { RenderedBlock } from './template-compiler.js';

/** Slack's limits on a message, as its Block Kit reference states them. */
export const SLACK_LIMITS = {
  messageText: 40_000,
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  text: 3000,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Cut by code points, as Slack and the schema count them, so that an emoji is never split in half.
function clip(text: string, max: number, ellipsis = '…'): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - ellipsis.length).join('') + ellipsis;
}

function clipText(object: unknown, max: number): void {
  if (isRecord(object) && typeof object.text === 'string') object.text = clip(object.text, max);
}

function cap(list: unknown, max: number): unknown {
  return Array.isArray(list) ? list.slice(0, max) : list;
}

function fitConfirm(confirm: unknown): void {
  if (!isRecord(confirm)) return;
  clipText(confirm.title, SLACK_LIMITS.confirmTitle);
  clipText(confirm.text, SLACK_LIMITS.confirmText);
  clipText(confirm.confirm, SLACK_LIMITS.confirmButton);
  clipText(confirm.deny, SLACK_LIMITS.confirmButton);
}

function fitElement(element: unknown): void {
  if (!isRecord(element)) return;
  if (element.type === 'button') {
    clipText(element.text, SLACK_LIMITS.buttonText);
    // A cut value no longer names what it did, but a message Slack refuses announces nothing at all.
    if (typeof element.value === 'string') element.value = clip(element.value, SLACK_LIMITS.buttonValue, '');
    if (typeof element.url === 'string') element.url = clip(element.url, SLACK_LIMITS.buttonUrl, '');
  } else {
    clipText(element, SLACK_LIMITS.text);
  }
  fitConfirm(element.confirm);
}

function fitBlock(block: Json): Json[] {
  switch (block.type) {
    case 'header':
      clipText(block.text, SLACK_LIMITS.headerText);
      return [block];
    case 'context':
      block.elements = cap(block.elements, SLACK_LIMITS.contextElements);
      if (Array.isArray(block.elements)) block.elements.forEach((element) => clipText(element, SLACK_LIMITS.text));
      return [block];
    case 'actions':
      block.elements = cap(block.elements, SLACK_LIMITS.actionsElements);
      if (Array.isArray(block.elements)) block.elements.forEach(fitElement);
      return [block];
    case 'section': {
      block.fields = cap(block.fields, SLACK_LIMITS.sectionFields);
      if (Array.isArray(block.fields)) block.fields.forEach((field) => clipText(field, SLACK_LIMITS.fieldText));
      fitElement(block.accessory);
      return splitSection(block);
    }
    default:
      return [block];
  }
}

// A long section becomes several, cut at line ends; the first keeps its block_id, fields and accessory.
function splitSection(block: Json): Json[] {
  const text = block.text;
  if (!isRecord(text) || typeof text.text !== 'string' || text.text.length <= SLACK_LIMITS.sectionText) return [block];
  const parts = sections(text.text).map((s) => s.text.text);
  return parts.map((part, i) => (i === 0 ? { ...block, text: { ...text, text: part } } : { type: 'section', text: { ...text, text: part } }));
}

// Over 50 blocks, the repeated ones go first (from the longest $each, from its end), so that the
// header, the facts and the buttons that are not repeated survive; a last block says how many went.
function capBlocks(blocks: RenderedBlock[]): RenderedBlock[] {
  if (blocks.length <= SLACK_LIMITS.blocks) return blocks;
  const excess = blocks.length - (SLACK_LIMITS.blocks - 1);
  const groups = new Map<object, RenderedBlock[]>();
  for (const b of blocks) if (b.group) groups.set(b.group, [...(groups.get(b.group) ?? []), b]);
  const dropped = new Set<RenderedBlock>();
  while (dropped.size < excess) {
    const longest = [...groups.values()].reduce<RenderedBlock[]>((a, g) => (g.length > a.length ? g : a), []);
    const victim = longest.pop() ?? blocks.findLast((b) => !dropped.has(b));
    if (victim) dropped.add(victim);
  }
  const notice: RenderedBlock = {
    block: {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `_${excess} more block${excess === 1 ? '' : 's'} left out: a Slack message holds at most ${SLACK_LIMITS.blocks}._` }],
    },
    origin: '(left-out notice)',
    group: undefined,
  };
  return [...blocks.filter((b) => !dropped.has(b)), notice];
}

/** Brings a rendered message within Slack's limits: texts cut, long sections split, blocks capped at 50. */
export function fitToSlack(message: { text: string; blocks: RenderedBlock[] }): { text: string; blocks: RenderedBlock[] } {
  const blocks = message.blocks.flatMap((rendered) =>
    isRecord(rendered.block) ? fitBlock(rendered.block).map((block) => ({ ...rendered, block })) : [rendered],
  );
  return { text: clip(message.text, SLACK_LIMITS.messageText), blocks: capBlocks(blocks) };
}
