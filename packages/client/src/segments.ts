/** One byte range of a segmented download: [start, start + length). */
export interface Segment {
  index: number;
  start: number;
  length: number;
}

/**
 * Splits `size` bytes into at most `count` ranges of at least `minSize` bytes (small files get
 * fewer segments; an empty file gets none).
 */
export function planSegments(size: number, count: number, minSize = 1024 * 1024): Segment[] {
  if (size <= 0) return [];
  const n = Math.max(1, Math.min(Math.floor(count), Math.ceil(size / Math.max(1, minSize))));
  const base = Math.floor(size / n);
  const segments: Segment[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const length = i === n - 1 ? size - start : base;
    segments.push({ index: i, start, length });
    start += length;
  }
  return segments;
}
