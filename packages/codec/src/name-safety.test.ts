import { describe, expect, it } from 'vitest';
import { escapeUnsafeName, hasUnsafeNameCharacter } from './name-safety.js';

describe('name safety', () => {
  it.each([
    ['CR', 'a\r230 fake'],
    ['LF', 'a\n226 fake'],
    ['NUL', 'a\0b'],
    ['TAB', 'a\tb'],
    ['ESC', 'a\u001b[31mred'],
    ['DEL', 'a\u007f'],
    ['C1 CSI', 'a\u009b31m'],
    ['NEL', 'a\u0085b'],
    ['line separator', 'a\u2028b'],
    ['RLO', 'gpj\u202eexe.jpg'],
    ['LRE', '\u202aname'],
    ['RLI', 'x\u2067y'],
  ])('refuses %s and escapes it to ?', (_what, name) => {
    expect(hasUnsafeNameCharacter(name)).toBe(true);
    const escaped = escapeUnsafeName(name);
    expect(hasUnsafeNameCharacter(escaped)).toBe(false);
    expect(escaped).toContain('?');
    expect(escaped.length).toBe(name.length);
  });

  it.each(['plain.txt', 'with space', 'ümlaut-ß', '日本語', 'emoji-😀', 'quote"s', "it's", '-dash', '?'])('keeps %s', (name) => {
    expect(hasUnsafeNameCharacter(name)).toBe(false);
    expect(escapeUnsafeName(name)).toBe(name);
  });
});
