import { DataChannelError, ReplyDecoder } from '@ftpkit/codec';
import { StorageError } from '@ftpkit/storage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMANDS, UNIMPLEMENTED } from './command-table.js';
import { createServerSession } from './server-session.js';
import type { Effect, Outcome, Output } from './session-io.js';
import { MAX_QUEUED_LINES } from './session-state.js';

const MAX_LINE = 512;
const VERBS = [...COMMANDS.flatMap((c) => [c.verb, ...(c.aliases ?? [])]), ...UNIMPLEMENTED.map((u) => u.verb), 'FROB', ''];

const outcomeArb: fc.Arbitrary<(e: Effect) => Outcome> = fc.oneof(
  fc.constant(() => ({ ok: true }) as Outcome),
  fc.constant((e: Effect) => ({ ok: true, user: e.kind === 'authenticate' ? { name: e.user } : undefined }) as Outcome),
  fc.record({ size: fc.nat(), dir: fc.boolean() }).map(
    ({ size, dir }) => () => ({ ok: true, stat: { name: 'x', path: '/x', type: dir ? 'dir' : 'file', size, mtime: new Date(0) } }) as Outcome,
  ),
  fc.constant(() => ({ ok: true, host: '127.0.0.1', port: 50000, digest: 'ab', lines: ['l'] }) as Outcome),
  fc.constantFrom('ENOENT', 'EACCES', 'ENOSPC', 'EIO').map((c) => () => ({ ok: false, error: new StorageError(c as 'EIO') }) as Outcome),
  fc.constant(() => ({ ok: false, error: new DataChannelError('reset') }) as Outcome),
  fc.constant(() => ({ ok: false, aborted: true, error: new Error('x') }) as Outcome),
  fc.constant(() => ({ ok: false, error: 'not even an Error' }) as Outcome),
);

const lineArb = fc.oneof(
  fc.tuple(fc.constantFrom(...VERBS), fc.string({ maxLength: 40 })).map(([v, a]) => (a === '' ? v : `${v} ${a}`)),
  fc.string({ maxLength: 80, unit: 'binary' }),
);

const actionArb = fc.oneof(
  { weight: 5, arbitrary: fc.array(lineArb, { maxLength: 4 }).map((ls) => ({ kind: 'lines' as const, bytes: new TextEncoder().encode(ls.map((l) => `${l}\r\n`).join('')) })) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 700 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
  { weight: 4, arbitrary: outcomeArb.map((make) => ({ kind: 'resolve' as const, make })) },
  { weight: 1, arbitrary: fc.constantFrom('end' as const, 'idle' as const).map((kind) => ({ kind })) },
);

function checkOutput(out: Output, decoder: ReplyDecoder): void {
  for (const chunk of out.write) decoder.push(chunk); // throws ReplySyntaxError on malformed replies
}

describe('fuzz: anything into the session', () => {
  it('random bytes, command lines and outcomes never throw; replies stay well-formed; buffers stay bounded', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { maxLength: 40 }), fc.boolean(), (actions, tls) => {
        const s = createServerSession({ capabilities: { tls, setMtime: true, chmod: true }, maxLineLength: MAX_LINE });
        const decoder = new ReplyDecoder();
        const open: Effect[] = [];
        const take = (out: Output): void => {
          checkOutput(out, decoder);
          open.push(...out.effects.filter((e) => 'id' in e));
        };
        take(s.start());
        for (const a of actions) {
          if (a.kind === 'lines' || a.kind === 'bytes') take(s.receive(a.bytes));
          else if (a.kind === 'resolve') {
            const e = open.shift();
            if (e !== undefined && 'id' in e) take(s.resolve(e.id, a.make(e)));
          } else if (a.kind === 'end') take(s.end());
          else take(s.idleTimeout());
          expect(s.queuedLines).toBeLessThanOrEqual(MAX_QUEUED_LINES);
          expect(s.pendingBytes).toBeLessThanOrEqual(MAX_LINE + 1);
          expect(open.length).toBeLessThanOrEqual(1);
        }
      }),
      { seed: 20261125, numRuns: 400, endOnFailure: true },
    );
  });

  it('pure random bytes never throw (many runs)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 8 }), (chunks) => {
        const s = createServerSession({ capabilities: { tls: true, setMtime: false, chmod: false } });
        s.start();
        for (const c of chunks) s.receive(c);
        s.end();
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
