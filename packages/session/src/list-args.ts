/**
 * LIST/NLST arguments: many clients send `ls`-style flags first (`LIST -la`, `LIST -a dir`).
 * Leading words made only of `-` and letters are taken as flags; the rest is the path, raw.
 * `-a`/`-A` show dot files; every other flag is accepted and ignored (the long format is fixed by
 * the verb). A name that really starts with '-' can be reached as `./-name`.
 */
export interface ListArgs {
  /** `-a` or `-A` given. */
  all: boolean;
  /** The path after the flags; '' for the working directory. */
  path: string;
}

const FLAG = /^-[A-Za-z1]+$/;

/** Splits `-la  some dir` into flags and the path `some dir`. */
export function parseListArgs(arg: string): ListArgs {
  let rest = arg.trimStart();
  let all = false;
  for (;;) {
    const end = rest.indexOf(' ');
    const word = end < 0 ? rest : rest.slice(0, end);
    if (!FLAG.test(word)) break;
    if (/[aA]/.test(word)) all = true;
    rest = end < 0 ? '' : rest.slice(end + 1).trimStart();
  }
  return { all, path: rest.trim() === '' ? '' : rest };
}
