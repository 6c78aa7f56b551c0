import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { HookSpecError, parseHookSpec, type HookSpec } from '@ftpkit/server';
import { ConfigError } from './config-error.js';

/** `--hook`, `--hook-secret-file`: what runs on which event. */
export interface HooksConfig {
  hooks: HookSpec[];
  /** The HMAC key for URL targets (the file's text without its final newline). */
  secret: string | undefined;
  timeoutMs: number;
  queueSize: number;
}

/** `--auth-url`, `--auth-cache-ms` (or `auth: { url, cacheMs, timeoutMs }` in the config file). */
export interface AuthConfig {
  url: string;
  cacheMs: number;
  timeoutMs: number;
}

/** A value as the resolver found it: the value, where it came from, what relative paths resolve against. */
export interface RawValue {
  value: unknown;
  source: string;
  base: string;
}

/** One `EVENTS=TARGET`, or `{ events, target }` from the config file; a command must exist and be executable. */
function parseOne(item: unknown, source: string, base: string): HookSpec {
  let text: string;
  if (typeof item === 'string') text = item;
  else if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const { events, target } = item as { events?: unknown; target?: unknown };
    const list = Array.isArray(events) ? events.join(',') : events;
    if (typeof list !== 'string' || typeof target !== 'string') throw new ConfigError(source, 'each hook must be EVENTS=TARGET or { events, target }');
    text = `${list}=${target}`;
  } else throw new ConfigError(source, 'each hook must be EVENTS=TARGET or { events, target }');
  const eq = text.indexOf('=');
  const target = eq < 0 ? '' : text.slice(eq + 1).trim();
  // A relative command is taken from where the setting was written (the config file's directory, or the working directory).
  const absolute = eq < 0 || /^https?:\/\//i.test(target) || target === '' ? text : `${text.slice(0, eq)}=${resolve(base, target)}`;
  let spec: HookSpec;
  try {
    spec = parseHookSpec(absolute);
  } catch (err) {
    if (err instanceof HookSpecError) throw new ConfigError(source, err.message);
    throw err;
  }
  if (!/^https?:\/\//i.test(spec.target)) {
    try {
      if (!statSync(spec.target).isFile()) throw new Error('not a file');
      accessSync(spec.target, constants.X_OK);
    } catch {
      throw new ConfigError(source, `${spec.target} is not an executable file`);
    }
  }
  return spec;
}

/** `--hook` values (repeatable flag, whitespace-separated in FTPKIT_HOOK, a list in the config file). */
export function parseHooks(raw: RawValue | undefined): HookSpec[] {
  if (raw === undefined) return [];
  const fromEnv = raw.source.startsWith('FTPKIT_');
  const items: unknown[] = Array.isArray(raw.value) ? raw.value : fromEnv ? String(raw.value).split(/\s+/).filter(Boolean) : [raw.value];
  return items.map((item) => parseOne(item, raw.source, raw.base));
}

/** The secret file's text (one trailing newline dropped); empty is an error. */
export function readHookSecret(raw: RawValue | undefined, hooks: readonly HookSpec[]): string | undefined {
  if (raw === undefined) return undefined;
  if (hooks.length === 0) throw new ConfigError(raw.source, 'needs --hook');
  const path = resolve(raw.base, String(raw.value));
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(raw.source, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (text === '') throw new ConfigError(raw.source, `${path} is empty`);
  return text;
}

/** A positive integer setting (`--hook-queue-size`). */
export function positiveInteger(raw: RawValue | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const text = String(raw.value).trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1_000_000) throw new ConfigError(raw.source, `must be an integer 1-1000000 (got ${JSON.stringify(raw.value)})`);
  return Number(text);
}

/** Milliseconds, 0-86400000 (`--hook-timeout-ms`). */
export function millisSetting(raw: RawValue | undefined, fallback: number): number {
  return raw === undefined ? fallback : millis(raw.value, raw.source);
}

function millis(value: unknown, source: string): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) > 86_400_000) throw new ConfigError(source, `must be milliseconds, 0-86400000 (got ${JSON.stringify(value)})`);
  return Number(text);
}

/**
 * `--auth-url` and `--auth-cache-ms`, else the config file's `auth: { url, cacheMs, timeoutMs }`.
 */
export function parseAuth(url: RawValue | undefined, cacheMs: RawValue | undefined, fileAuth: unknown): AuthConfig | undefined {
  let section: Record<string, unknown> = {};
  if (fileAuth !== undefined) {
    if (typeof fileAuth !== 'object' || fileAuth === null || Array.isArray(fileAuth)) throw new ConfigError('config key "auth"', 'must be a mapping { url, cacheMs, timeoutMs }');
    section = fileAuth as Record<string, unknown>;
    for (const key of Object.keys(section)) {
      if (!['url', 'cacheMs', 'timeoutMs'].includes(key)) throw new ConfigError(`config key "auth.${key}"`, 'unknown (known: url, cacheMs, timeoutMs)');
    }
  }
  const urlValue = url?.value ?? section.url;
  const urlSource = url?.source ?? 'config key "auth.url"';
  if (urlValue === undefined) {
    if (cacheMs !== undefined) throw new ConfigError(cacheMs.source, 'needs --auth-url');
    return undefined;
  }
  const text = String(urlValue).trim();
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new ConfigError(urlSource, `must be an http:// or https:// URL (got ${JSON.stringify(urlValue)})`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(urlSource, `must be an http:// or https:// URL (got ${JSON.stringify(urlValue)})`);
  return {
    url: text,
    cacheMs: cacheMs !== undefined ? millis(cacheMs.value, cacheMs.source) : section.cacheMs !== undefined ? millis(section.cacheMs, 'config key "auth.cacheMs"') : 0,
    timeoutMs: section.timeoutMs !== undefined ? millis(section.timeoutMs, 'config key "auth.timeoutMs"') : 5000,
  };
}
