import { havePyftpdlib, startPyftpdlib } from '@ftpkit/test-servers';
import { serverSuite } from '../test-support/server-suite.js';

serverSuite({
  name: 'pyftpdlib',
  have: havePyftpdlib,
  start: () => startPyftpdlib({ tls: true }),
  bigFile: [{ tls: false, mode: 'passive' }],
  mirror: true,
  missingFileReason: 'not-found',
});
