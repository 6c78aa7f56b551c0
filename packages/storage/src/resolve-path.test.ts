import { describe, expect, it } from 'vitest';
import { basename, dirname, isPathWithin, joinPath, pathSegments, resolvePath } from './resolve-path.js';
import { StorageError } from './storage-error.js';
import { HOSTILE_PATHS } from './testing/hostile-paths.js';

describe('resolvePath', () => {
  it.each([
    ['/', 'a', '/a'],
    ['/', '', '/'],
    ['/a/b', '', '/a/b'],
    ['/a/b', '.', '/a/b'],
    ['/a/b', './c', '/a/b/c'],
    ['/a/b', '..', '/a'],
    ['/a/b', '../..', '/'],
    ['/a/b', '../../../..', '/'],
    ['/a', '/x/y', '/x/y'],
    ['/a', 'x//y', '/a/x/y'],
    ['/a', 'x/y/', '/a/x/y'],
    ['/a', 'x\\y', '/a/x/y'],
    ['/a', '\\x', '/x'],
    ['/a', '..\\..\\etc', '/etc'],
    ['/a', '%2e%2e/x', '/a/%2e%2e/x'],
    ['/a', '100%', '/a/100%'],
    ['/a', '...', '/a/...'],
    ['/a', '..foo', '/a/..foo'],
    ['/a', ' spaced name ', '/a/ spaced name '],
    ['/a', 'ünï/çødé', '/a/ünï/çødé'],
    ['a/b/', 'c', '/a/b/c'],
    ['//a//b//', 'c', '/a/b/c'],
    ['/a/../..', 'c', '/c'],
  ])('resolvePath(%j, %j) = %j', (cwd, input, expected) => {
    expect(resolvePath(cwd, input)).toBe(expected);
  });

  it.each([
    ['/', 'a\0b'],
    ['/', '\0'],
    ['/a\0', 'b'],
    ['/', '../\0/etc/passwd'],
  ])('refuses NUL: resolvePath(%j, %j)', (cwd, input) => {
    expect(() => resolvePath(cwd, input)).toThrow(StorageError);
    try {
      resolvePath(cwd, input);
    } catch (err) {
      expect(err).toMatchObject({ code: 'EINVAL' });
    }
  });

  it.each(HOSTILE_PATHS)('hostile input %j stays below / from any cwd', (input) => {
    for (const cwd of ['/', '/a', '/a/b/c']) {
      let out: string;
      try {
        out = resolvePath(cwd, input);
      } catch (err) {
        expect(err).toMatchObject({ name: 'StorageError', code: 'EINVAL' });
        continue;
      }
      expect(out.startsWith('/')).toBe(true);
      expect(out.split('/')).not.toContain('..');
      expect(out.split('/')).not.toContain('.');
      expect(out).not.toContain('\\');
      expect(out).not.toContain('//');
      expect(out === '/' || !out.endsWith('/')).toBe(true);
      // Idempotent: a resolved path resolves to itself.
      expect(resolvePath('/', out)).toBe(out);
    }
  });

  it('always yields a normalised path for arbitrary strings (fuzz)', () => {
    const alphabet = ['/', '\\', '.', '..', 'a', '%', ' ', 'é', '\0'];
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      let input = '';
      const len = next() % 12;
      for (let j = 0; j < len; j++) input += alphabet[next() % alphabet.length] ?? '';
      if (input.includes('\0')) {
        expect(() => resolvePath('/x', input)).toThrow(StorageError);
        continue;
      }
      const out = resolvePath('/x', input);
      expect(out).toMatch(/^\/(?:[^/\\]+(?:\/[^/\\]+)*)?$/);
      expect(out.split('/')).not.toContain('..');
    }
  });
});

describe('path helpers', () => {
  it('joinPath joins and normalises', () => {
    expect(joinPath('/a', 'b', 'c')).toBe('/a/b/c');
    expect(joinPath('/a', '/b')).toBe('/a/b');
    expect(joinPath('/a', '../../x')).toBe('/x');
    expect(joinPath('/', '')).toBe('/');
  });
  it('basename and dirname', () => {
    expect(basename('/')).toBe('');
    expect(basename('/a')).toBe('a');
    expect(basename('/a/b/')).toBe('b');
    expect(dirname('/')).toBe('/');
    expect(dirname('/a')).toBe('/');
    expect(dirname('/a/b')).toBe('/a');
  });
  it('isPathWithin and pathSegments', () => {
    expect(isPathWithin('/', '/a')).toBe(true);
    expect(isPathWithin('/a', '/a')).toBe(true);
    expect(isPathWithin('/a', '/a/b')).toBe(true);
    expect(isPathWithin('/a', '/ab')).toBe(false);
    expect(pathSegments('/a/b')).toEqual(['a', 'b']);
    expect(pathSegments('/')).toEqual([]);
  });
});
