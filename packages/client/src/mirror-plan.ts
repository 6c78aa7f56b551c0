/** One file or directory on either side of a mirror, by its path relative to the mirror root. */
export interface MirrorItem {
  /** Relative path with '/' separators, e.g. "a/b.txt". */
  path: string;
  type: 'file' | 'dir';
  size: number;
  modified?: Date;
}

/** What the mirror will do. */
export type MirrorAction =
  | { type: 'mkdir'; path: string }
  | { type: 'transfer'; path: string; size: number; modified?: Date; reason: 'missing' | 'size' | 'time' }
  | { type: 'delete'; path: string; kind: 'file' | 'dir' };

export interface MirrorPlanOptions {
  /** Remove target items the source does not have. */
  delete?: boolean | undefined;
  /** Paths never deleted, with everything under them (source entries that were skipped, not absent). */
  keep?: readonly string[] | undefined;
  /** Seconds two times may differ and still count as equal (LIST times have minute precision). */
  toleranceSeconds?: number | undefined;
  /**
   * 'exact': transfer when times differ (the target's time is set after each transfer);
   * 'newer': transfer only when the source is newer (the target's time cannot be set).
   */
  timeRule?: 'exact' | 'newer' | undefined;
}

/**
 * Compares the source tree with the target tree and lists the actions that make the target equal:
 * directories first (parents before children), then transfers of files whose size or time differ,
 * then deletions (children before parents). Pure: both trees are passed in.
 */
export function planMirror(source: readonly MirrorItem[], target: readonly MirrorItem[], opts: MirrorPlanOptions = {}): MirrorAction[] {
  const tolerance = (opts.toleranceSeconds ?? 2) * 1000;
  const rule = opts.timeRule ?? 'exact';
  const targetByPath = new Map(target.map((t) => [t.path, t]));
  const sourcePaths = new Set(source.map((s) => s.path));
  const actions: MirrorAction[] = [];
  const dirs = source.filter((s) => s.type === 'dir').sort((a, b) => depth(a.path) - depth(b.path) || a.path.localeCompare(b.path));
  const deletes: MirrorAction[] = [];
  for (const d of dirs) {
    const t = targetByPath.get(d.path);
    if (t?.type === 'dir') continue;
    if (t) deletes.push({ type: 'delete', path: t.path, kind: 'file' });
    actions.push({ type: 'mkdir', path: d.path });
  }
  for (const f of source.filter((s) => s.type === 'file').sort((a, b) => a.path.localeCompare(b.path))) {
    const t = targetByPath.get(f.path);
    const base = { type: 'transfer' as const, path: f.path, size: f.size, ...(f.modified ? { modified: f.modified } : {}) };
    if (!t) actions.push({ ...base, reason: 'missing' });
    else if (t.type !== 'file') {
      deletes.push({ type: 'delete', path: t.path, kind: 'dir' });
      actions.push({ ...base, reason: 'missing' });
    } else if (t.size !== f.size) actions.push({ ...base, reason: 'size' });
    else if (f.modified && t.modified) {
      const diff = f.modified.getTime() - t.modified.getTime();
      if (rule === 'exact' ? Math.abs(diff) > tolerance : diff > tolerance) actions.push({ ...base, reason: 'time' });
    }
  }
  // A type clash must be removed before the new item is made.
  const clash = deletes;
  if (opts.delete) {
    const extra = target
      .filter((t) => !sourcePaths.has(t.path) && !isUnderClash(t.path, clash) && !isKept(t.path, opts.keep ?? []))
      .sort((a, b) => depth(b.path) - depth(a.path) || a.path.localeCompare(b.path));
    for (const t of extra) actions.push({ type: 'delete', path: t.path, kind: t.type });
  }
  return [...clash, ...actions];
}

function isUnderClash(path: string, clash: readonly MirrorAction[]): boolean {
  return clash.some((c) => path.startsWith(`${c.path}/`));
}

function isKept(path: string, keep: readonly string[]): boolean {
  return keep.some((k) => k === '' || path === k || path.startsWith(`${k}/`));
}

function depth(path: string): number {
  return path.split('/').length;
}
