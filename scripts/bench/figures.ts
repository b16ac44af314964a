/** One figure of the benchmark, with its goal when the issue sets one. */
export interface Figure {
  /** Stable name, e.g. `ack.p99`; the smoke test checks every one is there. */
  id: string;
  /** The item number, 1 to 6. */
  item: number;
  label: string;
  value: number;
  unit: string;
  /** Passes when `value` is at most `max`. */
  goal?: { max: number; text: string };
  /** How it was measured, when the label does not say. */
  note?: string;
}

/** Whether a figure meets its goal; null when it has none. */
export function passes(figure: Figure): boolean | null {
  return figure.goal ? Number.isFinite(figure.value) && figure.value <= figure.goal.max : null;
}

/** The ids a full benchmark produces, whatever its size; sizes only add rows to the tables. */
export const FIGURE_IDS = [
  'ack.p50',
  'ack.p99',
  'click.p50',
  'click.p99',
  'parallel.small.ratio',
  'parallel.small.vs-runbook',
  'parallel.large.ratio',
  'parallel.large.vs-runbook',
  'poll.max',
  'notice.max',
  'aws.describe-per-poll',
  'slack.one-service',
  'slack.many-services',
  'slack.peak-per-channel',
  'rss.ready',
  'rss.idle',
  'heap.growth',
  'rss.after-rollbacks',
  'startup.median',
  'startup.max',
] as const;
