/** The value at or below which `p` percent of `values` fall (nearest rank); NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** The middle value. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Groups instants (sorted or not) into bursts: a gap longer than `gapMs` starts a new one. */
export function bursts(instants: readonly number[], gapMs: number): number[][] {
  const groups: number[][] = [];
  for (const at of [...instants].sort((a, b) => a - b)) {
    const last = groups.at(-1);
    if (last && at - last.at(-1)! <= gapMs) last.push(at);
    else groups.push([at]);
  }
  return groups;
}

/** The most instants that fall in any window `windowMs` long (closed at its start, open at its end). */
export function peakInWindow(instants: readonly number[], windowMs: number): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let peak = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

/** Rounds for a report: 3 significant digits at most, no trailing zeros. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = 10 ** Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}
