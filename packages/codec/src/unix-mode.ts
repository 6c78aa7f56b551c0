/**
 * Unix permission bits and their `ls -l` spelling ("rwsr-xr-t").
 */

const TRIPLES: ReadonlyArray<[read: number, write: number, exec: number, special: number, on: string, off: string]> = [
  [0o400, 0o200, 0o100, 0o4000, 's', 'S'],
  [0o040, 0o020, 0o010, 0o2000, 's', 'S'],
  [0o004, 0o002, 0o001, 0o1000, 't', 'T'],
];

/** Nine characters for the permission bits 0..0o7777 (setuid, setgid and sticky shown as s/S/t/T). */
export function formatPermissions(mode: number): string {
  let out = '';
  for (const [r, w, x, special, on, off] of TRIPLES) {
    out += mode & r ? 'r' : '-';
    out += mode & w ? 'w' : '-';
    const exec = (mode & x) !== 0;
    if (mode & special) out += exec ? on : off;
    else out += exec ? 'x' : '-';
  }
  return out;
}

/** The mode bits of a nine-character permission string, or undefined when it is not one. */
export function parsePermissions(text: string): number | undefined {
  if (!/^[r-][w-][xsS-][r-][w-][xsS-][r-][w-][xtT-]$/.test(text)) return undefined;
  let mode = 0;
  TRIPLES.forEach(([r, w, x, special], i) => {
    const [cr, cw, cx] = text.slice(i * 3, i * 3 + 3);
    if (cr === 'r') mode |= r;
    if (cw === 'w') mode |= w;
    if (cx === 'x' || cx === 's' || cx === 't') mode |= x;
    if (cx === 's' || cx === 'S' || cx === 't' || cx === 'T') mode |= special;
  });
  return mode;
}
