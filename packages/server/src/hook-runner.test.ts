import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHookRunner, hookEnvironment, HookSpecError, parseHookSpec, type HookEvent } from './hook-runner.js';

// The runner against real child processes and a real HTTP server on 127.0.0.1.

const work = mkdtempSync(join(tmpdir(), 'ftpkit-hook-runner-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A name with every character a shell would act on, a newline and a CR, and non-ASCII. */
const NASTY = `/a b 'q' "d" ;x $(touch ${work}/PWNED) \`touch ${work}/PWNED2\`\nline2\rcr ü€.txt`;

function event(extra: Partial<HookEvent> = {}): HookEvent {
  return { event: 'upload', user: 'u', path: NASTY, size: 5, status: 'ok', remoteAddress: '127.0.0.1', session: 7, time: new Date(0).toISOString(), ...extra };
}

function script(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!${process.execPath}\n${body}`);
  chmodSync(path, 0o755);
  return path;
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!check() && Date.now() - started < timeoutMs) await new Promise((r) => setTimeout(r, 20));
}

describe('parseHookSpec', () => {
  it('takes EVENTS=TARGET with known events and an absolute command or an http(s) URL', () => {
    expect(parseHookSpec('upload,delete=/bin/true')).toEqual({ events: ['upload', 'delete'], target: '/bin/true' });
    expect(parseHookSpec('pre-upload=https://h.example/x?a=b').target).toBe('https://h.example/x?a=b');
    expect(() => parseHookSpec('uplod=/bin/true')).toThrow(HookSpecError);
    expect(() => parseHookSpec('upload=relative/cmd')).toThrow(/absolute/);
    expect(() => parseHookSpec('upload')).toThrow(/EVENTS=TARGET/);
  });
});

describe('createHookRunner', () => {
  it('a command gets the event on stdin and in FTPKIT_* intact (newline, CR, quotes, $(), backticks): nothing is run', async () => {
    const out = join(work, 'seen.json');
    const hook = script(
      'record.cjs',
      `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{require('fs').writeFileSync(${JSON.stringify(out)},JSON.stringify({stdin:JSON.parse(s),env:Object.fromEntries(Object.entries(process.env).filter(([k])=>k.startsWith('FTPKIT_')))}))});`,
    );
    const runner = createHookRunner({ hooks: [{ events: ['upload'], target: hook }], env: { ...process.env, FTPKIT_USER: 'admin:secret' } });
    runner.emit(event({ localPath: `/srv${NASTY}` }));
    await until(() => existsSync(out));
    await runner.close();
    const seen = JSON.parse(readFileSync(out, 'utf8')) as { stdin: HookEvent; env: Record<string, string> };
    expect(seen.stdin.path).toBe(NASTY);
    // The server's own FTPKIT_USER (a password) is not inherited: only the event's.
    expect(seen.env).toEqual(hookEnvironment(event({ localPath: `/srv${NASTY}` })));
    expect(seen.env.FTPKIT_PATH).toBe(NASTY);
    expect(existsSync(join(work, 'PWNED'))).toBe(false);
    expect(existsSync(join(work, 'PWNED2'))).toBe(false);
    expect(runner.stats()).toMatchObject({ succeeded: 1, failed: 0, dropped: 0 });
  });

  it('pre decisions: exit 0 allows, another status denies, a timeout or a missing program is unavailable; URLs by status', async () => {
    const yes = script('yes.cjs', 'process.exit(0)');
    const no = script('no.cjs', 'process.exit(1)');
    const slow = script('slow.cjs', 'setTimeout(() => process.exit(0), 30000)');
    const statuses = new Map([['/ok', 204], ['/no', 403], ['/err', 503]]);
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(statuses.get(req.url ?? '') ?? 404).end());
    });
    const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
    try {
      const decide = async (target: string): Promise<string> => {
        const runner = createHookRunner({ hooks: [{ events: ['pre-upload'], target }], timeoutMs: 1000 });
        const verdict = await runner.decide(event({ event: 'pre-upload' }));
        await runner.close(0);
        return verdict;
      };
      expect(await decide(yes)).toBe('allow');
      expect(await decide(no)).toBe('deny');
      expect(await decide(slow)).toBe('unavailable');
      expect(await decide(join(work, 'missing'))).toBe('unavailable');
      expect(await decide(`http://127.0.0.1:${port}/ok`)).toBe('allow');
      expect(await decide(`http://127.0.0.1:${port}/no`)).toBe('deny');
      expect(await decide(`http://127.0.0.1:${port}/err`)).toBe('unavailable');
      const both = createHookRunner({ hooks: [{ events: ['pre-delete'], target: yes }, { events: ['pre-delete'], target: no }] });
      expect(await both.decide(event({ event: 'pre-delete' }))).toBe('deny');
      expect(await both.decide(event({ event: 'pre-rename' }))).toBe('allow');
      // Only decisions a hook made are counted (pre-rename has none here).
      expect(both.stats().decisions).toEqual({ allow: 0, deny: 1, unavailable: 0 });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
