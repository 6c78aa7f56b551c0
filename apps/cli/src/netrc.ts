import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** One machine entry of a .netrc file. */
export interface NetrcEntry {
  login?: string;
  password?: string;
  account?: string;
}

/**
 * Parses .netrc text as curl and lftp read it: whitespace-separated tokens, `machine NAME` or
 * `default` opens an entry, `login`/`password`/`account` fill it, `macdef` skips to a blank line,
 * double-quoted tokens may contain spaces.
 */
export function parseNetrc(text: string): { machines: Map<string, NetrcEntry>; fallback?: NetrcEntry } {
  const machines = new Map<string, NetrcEntry>();
  let fallback: NetrcEntry | undefined;
  let current: NetrcEntry | undefined;
  const tokens: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*#/.test(line)) continue;
    const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) !== null) {
      const tok = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '');
      if (tok === 'macdef') {
        // A macro body runs to the next empty line.
        while (i + 1 < lines.length && (lines[i + 1] ?? '').trim() !== '') i++;
        tokens.length = 0;
        break;
      }
      tokens.push(tok);
    }
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const v = tokens[i + 1];
    if (t === 'machine' && v !== undefined) {
      current = machines.get(v) ?? {};
      if (!machines.has(v)) machines.set(v, current);
      i++;
    } else if (t === 'default') {
      fallback = {};
      current = fallback;
    } else if ((t === 'login' || t === 'password' || t === 'account') && v !== undefined && current) {
      current[t] = v;
      i++;
    }
  }
  return { machines, ...(fallback ? { fallback } : {}) };
}

/** The entry for `host` in $HOME/.netrc (or the `default` entry), if any. */
export async function lookupNetrc(host: string, file = join(homedir(), '.netrc')): Promise<NetrcEntry | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = parseNetrc(text);
  return parsed.machines.get(host) ?? parsed.fallback;
}
