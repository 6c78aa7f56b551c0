import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_VERBS, COMMANDS, UNIMPLEMENTED, createCommandTable } from './command-table.js';

const here = import.meta.dirname;

function testSources(dir: string): string {
  let all = '';
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) all += testSources(p);
    else if (entry.name.endsWith('.test.ts') && entry.name !== 'command-table.test.ts') all += readFileSync(p, 'utf8');
  }
  return all;
}

describe('the command table', () => {
  it('has every verb and alias once, each with a syntax line', () => {
    const table = createCommandTable();
    for (const spec of COMMANDS) {
      expect(spec.syntax.startsWith(spec.verb)).toBe(true);
      for (const v of [spec.verb, ...(spec.aliases ?? [])]) expect(table.lookup(v)).toBe(spec);
    }
    expect(() => createCommandTable([...COMMANDS, COMMANDS[0]!])).toThrow(/registered twice/);
  });

  it('COMMAND_VERBS names exactly the verbs the table dispatches, none of the unimplemented ones', () => {
    const table = createCommandTable();
    for (const verb of COMMAND_VERBS) expect(table.lookup(verb)?.verb).toBeDefined();
    expect(COMMAND_VERBS).toContain('DELE');
    expect(COMMAND_VERBS).toContain('XMKD');
    for (const u of UNIMPLEMENTED) expect(COMMAND_VERBS).not.toContain(u.verb);
    expect(new Set(COMMAND_VERBS).size).toBe(COMMAND_VERBS.length);
  });

  it('every verb and alias is exercised by a transcript (C: VERB ...)', () => {
    const sources = testSources(here).toUpperCase();
    const verbs = [...COMMANDS.flatMap((c) => [c.verb, ...(c.aliases ?? [])]), ...UNIMPLEMENTED.map((u) => u.verb)];
    const missing = verbs.filter((v) => !sources.includes(`C: ${v}`));
    expect(missing).toEqual([]);
  });
});
