import { StorageError } from '@ftpkit/storage';
import { describe, expect, it } from 'vitest';
import { createServerSession } from './server-session.js';
import type { Output } from './session-io.js';
import { SessionUsageError } from './session-usage-error.js';
import { Transcript, transcript } from './test-support/transcript.js';

const caps = { tls: false, setMtime: false, chmod: false };
const enc = new TextEncoder();
const dec = new TextDecoder();

function text(out: Output): string {
  return out.write.map((w) => dec.decode(w)).join('');
}

describe('line handling', () => {
  it('an over-long line is "500 Command line too long." and the next line still works', () => {
    const t = new Transcript({ config: { maxLineLength: 64 } });
    const out = t.send(enc.encode(`NOOP ${'x'.repeat(200)}\r\nNOOP\r\n`));
    expect(text(out)).toBe('500 Command line too long.\r\n200 NOOP ok.\r\n');
    expect(t.session.pendingBytes).toBe(0);
  });

  it('an over-long line cancels a pending RNFR like any other command', () => {
    const t = new Transcript({ config: { maxLineLength: 64 } }).run(`
      @login
      C: RNFR a
      E: storage op=stat => file 1
      S: 350
    `);
    t.send(enc.encode(`${'y'.repeat(100)}\r\n`));
    t.run(`
      S: 500 Command line too long.
      C: RNTO b
      S: 503
    `).finish();
  });

  it('the same conversation split at every offset gives the same bytes', () => {
    const wire = 'USER bob\r\nPASS secret\r\nPWD\r\nTYPE I\nSIZE f\r\nQUIT\r\n';
    const run = (chunks: Uint8Array[]): string => {
      const s = createServerSession({ capabilities: caps });
      let written = text(s.start());
      const drive = (out: Output): void => {
        written += text(out);
        for (const e of out.effects) {
          if (e.kind === 'authenticate') drive(s.resolve(e.id, { ok: true, user: { name: e.user } }));
          if (e.kind === 'storage') drive(s.resolve(e.id, { ok: true, stat: { name: 'f', path: '/f', type: 'file', size: 7, mtime: new Date(0) } }));
        }
      };
      for (const c of chunks) drive(s.receive(c));
      return written;
    };
    const bytes = enc.encode(wire);
    const whole = run([bytes]);
    expect(whole).toContain('257 "/"');
    expect(whole).toContain('213 7');
    expect(whole.endsWith('221 Goodbye.\r\n')).toBe(true);
    expect(run([...bytes].map((b) => Uint8Array.of(b)))).toBe(whole);
    for (let i = 1; i < bytes.length; i++) expect(run([bytes.subarray(0, i), bytes.subarray(i)])).toBe(whole);
  });

  it('TELNET IAC sequences (IP, DM before ABOR) are stripped', () => {
    transcript(`
      @login
      C# ff f4 ff f2 41 42 4f 52 0d 0a
      S: 225
    `);
  });

  it('a UTF-8 name split across chunks arrives whole', () => {
    const t = new Transcript().run('@login');
    const bytes = enc.encode('MKD ü\r\n');
    t.send(bytes.subarray(0, 5));
    t.send(bytes.subarray(5));
    t.run(`
      E: storage op=mkdir path=/ü => ok
      S: 257 "/ü" created.
    `).finish();
  });

  it('CR inside an argument can never start a new reply line', () => {
    const t = new Transcript().run('@login');
    t.send(enc.encode('MKD a\rb\r\n'));
    t.run(`
      S: 553 File name not allowed
    `);
    t.send(enc.encode('HASH a\rb\r\n'));
    t.run(`
      E: storage op=stat => file 3
      E: hash => ok digest=abcd
      S: 213 SHA-256 0-3 abcd a?b
    `).finish();
  });
});

describe('life cycle', () => {
  it('start() with a refusal answers 421 and closes', () => {
    const s = createServerSession({ capabilities: caps });
    const out = s.start('Too many connections.');
    expect(text(out)).toBe('421 Too many connections.\r\n');
    expect(out.close).toBe(true);
    expect(s.receive(enc.encode('NOOP\r\n'))).toEqual({ write: [], origins: [], effects: [], close: false });
  });

  it('a multi-line greeting', () => {
    const s = createServerSession({ capabilities: caps, greeting: 'Welcome\nBe nice' });
    expect(text(s.start())).toBe('220-Welcome\r\n220 Be nice\r\n');
  });

  it('idleTimeout: 421 and close; afterwards every call answers nothing', () => {
    transcript(`
      IDLE
      S: 421
      CLOSED
      C: NOOP
      END
      IDLE
    `);
  });

  it('end() with nothing running emits nothing but close', () => {
    const s = createServerSession({ capabilities: caps });
    s.start();
    expect(s.end()).toEqual({ write: [], origins: [], effects: [], close: true });
  });

  it('an effect resolved after end() is accepted silently', () => {
    const t = transcript(`
      @login
      C: MKD d
      E: storage op=mkdir
      END
      CLOSED
      R: storage => ok
    `);
    expect(t.session.transferring).toBe(false);
  });

  it('resolving an id that is not outstanding is a SessionUsageError naming the state', () => {
    const s = createServerSession({ capabilities: caps });
    s.start();
    expect(() => s.resolve(99, { ok: true })).toThrow(SessionUsageError);
    expect(() => s.resolve(99, { ok: true })).toThrow(/no effect is outstanding/);
    const out = s.receive(enc.encode('USER a\r\nPASS b\r\n'));
    const id = out.effects[0] && 'id' in out.effects[0] ? out.effects[0].id : -1;
    expect(() => s.resolve(id + 1, { ok: true })).toThrow(/outstanding effect is \d+ \(authenticate\)/);
    expect(text(s.resolve(id, { ok: false, error: new Error('x') }))).toBe('530 Login incorrect.\r\n');
    expect(() => s.resolve(id, { ok: true })).toThrow(SessionUsageError);
  });

  it('rejects an unusable maxLineLength', () => {
    expect(() => createServerSession({ capabilities: caps, maxLineLength: 3 })).toThrow(RangeError);
  });

  it('rejects requireTls / requireTlsData without the tls capability', () => {
    expect(() => createServerSession({ capabilities: caps, requireTls: true })).toThrow(/capabilities.tls/);
    expect(() => createServerSession({ capabilities: caps, requireTlsData: true })).toThrow(/capabilities.tls/);
  });

  it('outcomes missing the data a command needs are answered 451, never crash', () => {
    transcript(`
      @login
      C: PASV
      E: passive => ok
      S: 451
      C: HASH f
      E: storage op=stat => file 1
      E: hash => ok
      S: 451
      C: STAT d
      E: storage op=stat => dir
      E: list-control => ok
      S: 451
      C: CWD x
      E: storage op=stat => ok
      S: 451
    `);
  });
});

describe('reply origins (for audit logs)', () => {
  function login(s: ReturnType<typeof createServerSession>, readOnly = false): void {
    s.start();
    s.receive(enc.encode('USER bob\r\n'));
    const auth = s.receive(enc.encode('PASS secret\r\n'));
    const effect = auth.effects[0];
    if (effect?.kind !== 'authenticate') throw new Error('no authenticate effect');
    const out = s.resolve(effect.id, { ok: true, user: { name: 'bob', readOnly } });
    expect(out.origins).toEqual([{ verb: 'PASS' }]);
  }

  it('names the command and resolved path of each reply, also when it comes with an effect outcome', () => {
    const s = createServerSession({ capabilities: caps });
    login(s);
    const dele = s.receive(enc.encode('DELE sub/../a.txt\r\nNOOP\r\n'));
    const effect = dele.effects[0];
    if (effect?.kind !== 'storage') throw new Error('no storage effect');
    const out = s.resolve(effect.id, { ok: false, error: new StorageError('ENOENT', 'gone') });
    expect(out.origins).toEqual([
      { verb: 'DELE', arg: 'sub/../a.txt', path: '/a.txt' },
      { verb: 'NOOP' },
    ]);
    expect(out.write).toHaveLength(2);
  });

  it('a write refused by the guards (read-only) still names its path; PASS never carries its argument', () => {
    const s = createServerSession({ capabilities: caps });
    login(s, true);
    const out = s.receive(enc.encode('MKD new dir\r\n'));
    expect(text(out)).toMatch(/^550 /);
    expect(out.origins).toEqual([{ verb: 'MKD', arg: 'new dir', path: '/new dir' }]);
    expect(s.receive(enc.encode('PASS again\r\n')).origins).toEqual([{ verb: 'PASS' }]);
  });

  it('the greeting and an idle timeout answer no command', () => {
    const s = createServerSession({ capabilities: caps });
    expect(s.start().origins).toEqual([undefined]);
    expect(s.idleTimeout().origins).toEqual([undefined]);
  });
});
