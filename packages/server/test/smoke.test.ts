import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PY_LOGIN, python, requireProgram, startServer, type Harness } from './harness.js';

describe('smoke', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer('memory');
  });
  afterAll(() => h.close());

  it('ftplib: login, store, retrieve, list', async (ctx) => {
    if (!requireProgram('/usr/bin/python3')) return ctx.skip();
    const r = await python(
      `${PY_LOGIN}
ftp.storbinary('STOR a.txt', io.BytesIO(b'hello world'))
buf = io.BytesIO()
ftp.retrbinary('RETR a.txt', buf.write)
print(buf.getvalue().decode())
print(ftp.nlst())
ftp.quit()
`,
      h.port,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('hello world');
    expect(r.stdout).toContain("['a.txt']");
  });
});
