import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../../../packages/server/test/raw-client.js';
import { programEnv, programReady, startProgram, type ProgramProcess } from '../src/test-support/s3-program.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) {
  throw new Error(`${CHROMIUM} is missing: run \`pnpm test:setup\` (installs Debian's chromium)`);
}
if (!hasChromium) console.warn(`console browser test skipped: ${CHROMIUM} missing (pnpm test:setup installs it)`);
/** Set FTPKIT_CONSOLE_SCREENSHOT=docs/images/console.png to refresh the README's screenshot. */
const SCREENSHOT = process.env.FTPKIT_CONSOLE_SCREENSHOT;

/** The JSON log lines of the program with this message. */
function logLines(program: ProgramProcess, msg: string): Array<Record<string, unknown>> {
  return (program.stdout() + program.stderr())
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((o) => o.msg === msg);
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasChromium)('ftpkit-server --console in a real browser (Debian chromium)', () => {
  let dir: string;
  let program: ProgramProcess;
  let consoleUrl: string;
  let token: string;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];

  beforeAll(async () => {
    expect(programReady()).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'ftpkit-console-'));
    mkdirSync(join(dir, 'root'));
    writeFileSync(join(dir, 'config.yaml'), 'limits:\n  maxLoginFailuresPerIp: 3\n  loginFailureDelayMs: 10\n');
    program = await startProgram(
      ['--root', join(dir, 'root'), '--user', 'alice:alice-pw', '--user', 'bob:bob-pw', '--console', '127.0.0.1:0', '--config', join(dir, 'config.yaml')],
      programEnv(),
    );
    const m = /console: (http:\/\/127\.0\.0\.1:\d+\/)  token: (\S+)/.exec(program.stdout());
    if (m === null) throw new Error(`no console line in: ${program.stdout()}`);
    consoleUrl = m[1]!;
    token = m[2]!;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (req) => requested.push(req.url()));
    page.on('dialog', (d) => void d.accept());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await program?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('a wrong token is refused; the right one opens the console', async () => {
    await page.goto(consoleUrl);
    await page.fill('#token', 'not-the-token-at-all');
    await page.click('button[type=submit]');
    await page.waitForURL(/\?wrong$/);
    expect(await page.textContent('[role=alert]')).toContain('Wrong token');
    expect(await page.context().cookies()).toEqual([]);
    await page.fill('#token', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=live].on');
    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'ftpkit_console', httpOnly: true, sameSite: 'Strict' });
    expect(logLines(program, 'console: logged in')).toHaveLength(1);
    expect(logLines(program, 'console: wrong token')).toHaveLength(1);
  }, 30_000);

  it('a slow curl upload appears with a moving progress bar, then in recent transfers', async () => {
    const file = join(dir, 'upload.bin');
    writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 7));
    const curl = spawn('curl', ['-sS', '--limit-rate', '400K', '-T', file, `ftp://alice:alice-pw@127.0.0.1:${program.port}/up.bin`]);
    const exited = new Promise<number | null>((resolve) => curl.once('exit', resolve));
    try {
      const row = page.locator('[data-testid=session][data-user=alice]').filter({ has: page.locator('[data-testid=transfer]') });
      await row.waitFor({ timeout: 20_000 });
      expect(await row.locator('.dir').textContent()).toBe('upload');
      expect(await row.locator('code').last().textContent()).toBe('/up.bin');
      const bytesNow = async (): Promise<number> => Number(await row.locator('[data-testid=progress]').getAttribute('data-bytes'));
      const first = await bytesNow();
      const moved = await until('the progress bar to move', async () => {
        const b = await bytesNow();
        return b > first ? b : undefined;
      });
      expect(moved).toBeLessThan(3 * 1024 * 1024);
      if (SCREENSHOT !== undefined) await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(await exited).toBe(0);
      const done = page.locator('[data-testid=recent][data-path="/up.bin"]');
      await done.waitFor({ timeout: 20_000 });
      expect(await done.getAttribute('data-result')).toBe('ok');
      expect(await done.textContent()).toContain('3.00 MiB');
      // Filters: by result, then by user.
      await page.selectOption('[data-testid=filter-result]', 'failed');
      expect(await done.count()).toBe(0);
      await page.selectOption('[data-testid=filter-result]', 'ok');
      await page.selectOption('[data-testid=filter-user]', 'alice');
      expect(await done.count()).toBe(1);
    } finally {
      curl.kill('SIGKILL');
    }
  }, 60_000);

  it('Disconnect ends a second session: that client gets 421, the action is logged', async () => {
    const bob = await RawClient.connect(program.port);
    try {
      await bob.login('bob', 'bob-pw');
      const row = page.locator('[data-testid=session][data-user=bob]');
      await row.waitFor({ timeout: 20_000 });
      await row.locator('[data-testid=disconnect]').click();
      expect((await bob.next())?.code).toBe(421);
      await row.waitFor({ state: 'detached', timeout: 20_000 });
      const line = await until('the log line', () => logLines(program, 'console: disconnect session').find((l) => l.user === 'bob'));
      expect(line).toMatchObject({ action: 'disconnect', ip: '127.0.0.1', ok: true });
      expect(String(line.who)).toMatch(/^127\.0\.0\.1 login /);
    } finally {
      bob.close();
    }
  }, 40_000);

  it('an address banned by failed logins is listed and can be unbanned', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await RawClient.connect(program.port, '127.0.0.2');
      expect((await c.next())?.code).toBe(220);
      expect((await c.cmd('USER alice')).code).toBe(331);
      expect((await c.cmd('PASS wrong')).code).toBe(530);
      c.close();
    }
    const banned = await RawClient.connect(program.port, '127.0.0.2');
    expect((await banned.next())?.code).toBe(421);
    banned.close();
    const row = page.locator('[data-testid=ban][data-address="127.0.0.2"]');
    await row.waitFor({ timeout: 20_000 });
    await row.locator('[data-testid=unban]').click();
    await row.waitFor({ state: 'detached', timeout: 20_000 });
    const again = await RawClient.connect(program.port, '127.0.0.2');
    try {
      await again.login('alice', 'alice-pw');
    } finally {
      again.close();
    }
    expect(logLines(program, 'console: unban address')).toEqual([expect.objectContaining({ action: 'unban', address: '127.0.0.2', ok: true })]);
  }, 40_000);

  it('no request of the page left 127.0.0.1', () => {
    expect(requested.length).toBeGreaterThan(3);
    for (const url of requested) expect(new URL(url).hostname).toBe('127.0.0.1');
  });
});
