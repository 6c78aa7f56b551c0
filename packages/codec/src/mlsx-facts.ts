/**
 * MLST/MLSD fact lines: "fact=value;fact=value; name".
 *
 * @see RFC 3659 §7
 */
import { FactsError } from './errors.js';
import { formatMdtm, parseMdtm } from './mdtm.js';
import { escapeUnsafeName } from './name-safety.js';

/** The type fact: the RFC 3659 tokens or an OS-specific one such as "OS.unix=symlink". */
export type MlsxType = 'file' | 'dir' | 'cdir' | 'pdir' | 'OS.unix=symlink' | (string & {});

/** The facts of one entry. Standard facts are typed; others are kept raw in `extra`. */
export interface MlsxFacts {
  type?: MlsxType;
  size?: number;
  modify?: Date;
  perm?: string;
  unique?: string;
  /** unix.mode, as a number (written in octal). */
  unixMode?: number;
  /** other facts, lower-case name -> raw value */
  extra?: Record<string, string>;
}

/** A name and its facts. */
export interface MlsxEntry {
  name: string;
  facts: MlsxFacts;
}

const STANDARD_TYPES = new Set(['file', 'dir', 'cdir', 'pdir']);
const FACT_NAME = /^[^\s=;]+$/;

function checkValue(name: string, value: string): string {
  // RFC 3659 §7.1: values are RCHARs; a space would end the fact list early.
  if (/[;\s\0]/.test(value)) throw new FactsError(`fact ${name} value holds ';', white space or NUL`);
  return value;
}

/**
 * Writes one entry as "type=file;size=3;modify=20240101000000;perm=r;unix.mode=0644; name".
 * Facts are written in the order type, size, modify, perm, unique, unix.mode, then `extra` in its own
 * order. `select` (lower-case fact names, from OPTS MLST) limits which facts are written. Control
 * characters and bidi overrides in the name are written as '?' ({@link escapeUnsafeName}): one
 * badly named file must not make a whole MLSD fail. Throws {@link FactsError} for a value with ';'
 * or white space, a bad size or mode, or a bad extra fact name.
 *
 * @see RFC 3659 §7.2
 */
export function formatMlsxLine(entry: MlsxEntry, select?: readonly string[]): string {
  const wanted = select && new Set(select.map((s) => s.toLowerCase()));
  const want = (name: string): boolean => !wanted || wanted.has(name);
  const f = entry.facts;
  let out = '';
  if (f.type !== undefined && want('type')) out += `type=${checkValue('type', f.type)};`;
  if (f.size !== undefined && want('size')) {
    if (!Number.isSafeInteger(f.size) || f.size < 0) throw new FactsError(`bad size ${f.size}`);
    out += `size=${f.size};`;
  }
  if (f.modify !== undefined && want('modify')) {
    if (Number.isNaN(f.modify.getTime())) throw new FactsError('bad modify date');
    out += `modify=${formatMdtm(f.modify)};`;
  }
  if (f.perm !== undefined && want('perm')) out += `perm=${checkValue('perm', f.perm)};`;
  if (f.unique !== undefined && want('unique')) out += `unique=${checkValue('unique', f.unique)};`;
  if (f.unixMode !== undefined && want('unix.mode')) {
    if (!Number.isInteger(f.unixMode) || f.unixMode < 0 || f.unixMode > 0o7777) throw new FactsError(`bad unix.mode ${f.unixMode}`);
    out += `unix.mode=0${f.unixMode.toString(8).padStart(3, '0')};`;
  }
  for (const [name, value] of Object.entries(f.extra ?? {})) {
    if (!FACT_NAME.test(name)) throw new FactsError(`bad fact name ${JSON.stringify(name)}`);
    if (want(name.toLowerCase())) out += `${name}=${checkValue(name, value)};`;
  }
  return `${out} ${escapeUnsafeName(entry.name)}`;
}

/**
 * Parses one MLSx line. Fact names are case-insensitive; type values file/dir/cdir/pdir are
 * lower-cased, other type values kept raw. A missing ';' after the last fact is tolerated. Throws
 * {@link FactsError} when there is no space before the name, the name is empty, a fact has no '=',
 * or size, modify or unix.mode cannot be read.
 *
 * @see RFC 3659 §7.2
 */
export function parseMlsxLine(line: string): MlsxEntry {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const space = text.indexOf(' ');
  if (space < 0) throw new FactsError('MLSx line has no space before the name');
  const name = text.slice(space + 1);
  if (name === '') throw new FactsError('MLSx line has an empty name');
  const facts: MlsxFacts = {};
  const list = text.slice(0, space);
  for (const fact of list.split(';')) {
    if (fact === '') continue;
    const eq = fact.indexOf('=');
    if (eq <= 0) throw new FactsError(`bad fact ${JSON.stringify(fact.slice(0, 40))}`);
    const key = fact.slice(0, eq).toLowerCase();
    const value = fact.slice(eq + 1);
    switch (key) {
      case 'type': {
        const lower = value.toLowerCase();
        facts.type = STANDARD_TYPES.has(lower) ? lower : value;
        break;
      }
      case 'size':
        if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new FactsError(`bad size ${JSON.stringify(value)}`);
        facts.size = Number(value);
        break;
      case 'modify':
        try {
          facts.modify = parseMdtm(value);
        } catch {
          throw new FactsError(`bad modify ${JSON.stringify(value)}`);
        }
        break;
      case 'perm':
        facts.perm = value;
        break;
      case 'unique':
        facts.unique = value;
        break;
      case 'unix.mode':
        if (!/^[0-7]{1,6}$/.test(value)) throw new FactsError(`bad unix.mode ${JSON.stringify(value)}`);
        facts.unixMode = parseInt(value, 8) & 0o7777;
        break;
      default:
        (facts.extra ??= {})[key] = value;
    }
  }
  return { name, facts };
}

/**
 * The fact list for the FEAT line "MLST type*;size*;...;": every supported fact, each followed by
 * '*' when it is selected (compared case-insensitively) and ';'.
 *
 * @see RFC 3659 §7.8
 */
export function formatMlstFeat(supported: readonly string[], selected: readonly string[]): string {
  const on = new Set(selected.map((s) => s.toLowerCase()));
  return supported.map((name) => `${name}${on.has(name.toLowerCase()) ? '*' : ''};`).join('');
}
