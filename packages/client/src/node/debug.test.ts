import { startPyftpdlib } from '@ftpkit/test-servers';
import { it } from 'vitest';
import { FtpClient } from './ftp-client.js';
it('debug', async () => {
  const s = await startPyftpdlib({ tls: true });
  try {
    const c = await FtpClient.connect({ host: s.host, port: s.port, user: s.user, password: s.password, secure: 'explicit', ca: s.ca!, replyTimeout: 5000, dataTimeout: 5000 });
    const orig = (c as any).ctrl.send.bind((c as any).ctrl);
    (c as any).ctrl.send = (v: string, a?: string) => { console.log('C:', v, a ?? ''); orig(v, a); };
    const on = (c as any).ctrl.nextReply.bind((c as any).ctrl);
    (c as any).ctrl.nextReply = async (t?: number) => { const r = await on(t); console.log('S:', r.code, r.text); return r; };
    console.log(await c.list('/'));
    await c.close();
  } finally { await s.stop(); }
});
