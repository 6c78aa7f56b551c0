import { haveVsftpd, startVsftpd } from '@ftpkit/test-servers';
import { serverSuite } from '../test-support/server-suite.js';

// vsftpd runs with require_ssl_reuse=YES: every TLS data connection proves session reuse.
serverSuite({
  name: 'vsftpd',
  have: haveVsftpd,
  start: () => startVsftpd({ tls: true }),
  bigFile: [{ tls: true, mode: 'passive' }],
  mirror: true,
});
