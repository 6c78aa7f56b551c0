import type { CommandSpec } from '../command-spec.js';
import { HASH_ALGORITHMS, SUPPORTED_FACTS, selectFacts, selectHashAlgorithm, setUtf8 } from '../session-state.js';
import { reply } from '../step.js';

/**
 * OPTS UTF8 [ON|OFF] (names are UTF-8 either way; the flag is remembered), OPTS MLST <facts>
 * (unknown facts are ignored; the answer names the ones selected), OPTS HASH [<algorithm>]
 * (without an algorithm: the current one). Anything else is 501.
 *
 * @see RFC 2389 §4, RFC 2640 §3.3, RFC 3659 §7.9, draft-bryan-ftpext-hash-02 §4
 */
export const optsCommand: CommandSpec = {
  verb: 'OPTS',
  auth: false,
  keepsRestartMarker: true,
  arg: 'required',
  feat: () => ['UTF8'],
  syntax: 'OPTS <SP> UTF8 ON|OFF | MLST facts | HASH algorithm -- set options',
  run(ctx, arg) {
    const m = /^(\S+)(?:\s+(.*))?$/s.exec(arg.trim());
    const name = (m?.[1] ?? '').toUpperCase();
    const value = (m?.[2] ?? '').trim();
    switch (name) {
      case 'UTF8':
      case 'UTF-8': {
        const v = value.toUpperCase();
        if (v === '' || v === 'ON') {
          setUtf8(ctx.state, true);
          return reply(200, 'UTF8 set to on.');
        }
        if (v === 'OFF') {
          setUtf8(ctx.state, false);
          return reply(200, 'UTF8 set to off.');
        }
        return reply(501, 'Syntax: OPTS UTF8 ON|OFF.');
      }
      case 'MLST': {
        const asked = new Set(value.split(';').map((f) => f.trim().toLowerCase()));
        const facts = SUPPORTED_FACTS.filter((f) => asked.has(f));
        selectFacts(ctx.state, facts);
        return reply(200, facts.length === 0 ? 'MLST OPTS' : `MLST OPTS ${facts.map((f) => `${f};`).join('')}`);
      }
      case 'HASH': {
        if (value === '') return reply(200, ctx.state.hashAlgorithm);
        const algorithm = HASH_ALGORITHMS.find((a) => a === value.toUpperCase());
        if (algorithm === undefined) return reply(501, 'Unknown algorithm.');
        selectHashAlgorithm(ctx.state, algorithm);
        return reply(200, algorithm);
      }
      default:
        return reply(501, 'Option not understood.');
    }
  },
};
