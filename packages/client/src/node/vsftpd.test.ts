import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { haveVsftpd, startVsftpd } from '@ftpkit/test-servers';
import { FtpClient } from './ftp-client.js';
import { serverSuite } from '../test-support/server-suite.js';

// vsftpd runs with require_ssl_reuse=YES: every TLS data connection proves session reuse.
serverSuite({
  name: 'vsftpd',
  have: haveVsftpd,
  start: () => startVsftpd({ tls: true }),
  bigFile: [{ tls: true, mode: 'passive' }],
  mirror: true,
  missingFileReason: undefined, // 550 Failed to open file.
});

describe('vsftpd with implicit TLS (ftps://)', () => {
  it('connects with an ftps:// URL, checks the certificate, moves a file both ways', async () => {
    if (!haveVsftpd()) return;
    const s = await startVsftpd({ implicit: true });
    try {
      const url = `ftps://${s.user}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/`;
      await expect(FtpClient.connect(url, { connectTimeout: 5000 })).rejects.toThrow(/certificate|self.signed/i);
      for (const mode of ['passive', 'active'] as const) {
        const c = await FtpClient.connect(url, { ca: s.ca ?? '', mode });
        try {
          expect(c.secure).toBe(true);
          const body = randomBytes(100_000);
          await c.upload(Readable.from([body]), `/implicit-${mode}.bin`);
          const chunks: Buffer[] = [];
          const sink = new PassThrough();
          sink.on('data', (d: Buffer) => chunks.push(d));
          await c.download(`/implicit-${mode}.bin`, sink);
          expect(Buffer.concat(chunks).equals(body)).toBe(true);
        } finally {
          await c.close();
        }
      }
    } finally {
      await s.stop();
    }
  });
});
