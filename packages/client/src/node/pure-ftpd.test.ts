import { havePureFtpd, startPureFtpd } from '@ftpkit/test-servers';
import { serverSuite } from '../test-support/server-suite.js';

serverSuite({
  name: 'pure-ftpd',
  have: havePureFtpd,
  start: () => startPureFtpd({ tls: true }),
  bigFile: [{ tls: false, mode: 'active' }],
  mirror: true,
  missingFileReason: 'not-found',
});
