import { describe, expect, it } from 'vitest';
import { activeDialog, passiveDialog } from './data-channel-dialog.js';
import { FtpReplyError } from './errors.js';
import { runTranscript } from './test-support/transcript.js';

describe('passiveDialog', () => {
  it('uses EPSV with the control host', () => {
    expect(runTranscript(passiveDialog({ controlHost: '127.0.0.1', family: 4 }), [
      'C: EPSV', 'S: 229 Entering Extended Passive Mode (|||40001|)',
    ])).toEqual({ host: '127.0.0.1', port: 40001, mode: 'epsv' });
  });

  it('falls back to PASV on 500/502 and then goes straight to PASV', () => {
    const t = runTranscript(passiveDialog({ controlHost: '127.0.0.1', family: 4 }), [
      'C: EPSV', 'S: 502 not implemented', 'C: PASV', 'S: 227 Entering Passive Mode (127,0,0,1,156,65).',
    ]);
    expect(t).toEqual({ host: '127.0.0.1', port: 156 * 256 + 65, mode: 'pasv' });
    expect(runTranscript(passiveDialog({ controlHost: '127.0.0.1', family: 4, known: 'pasv' }), [
      'C: PASV', 'S: 227 =127,0,0,1,0,21',
    ]).port).toBe(21);
  });

  it('ignores a PASV host that is not the control host, unless allowed', () => {
    expect(runTranscript(passiveDialog({ controlHost: '192.0.2.10', family: 4, known: 'pasv' }), [
      'C: PASV', 'S: 227 Entering Passive Mode (10,0,0,5,4,1)',
    ])).toEqual({ host: '192.0.2.10', port: 1025, mode: 'pasv', ignoredHost: '10.0.0.5' });
    expect(runTranscript(passiveDialog({ controlHost: '192.0.2.10', family: 4, known: 'pasv', allowPasvHost: true }), [
      'C: PASV', 'S: 227 Entering Passive Mode (10,0,0,5,4,1)',
    ])).toEqual({ host: '10.0.0.5', port: 1025, mode: 'pasv' });
  });

  it('does not fall back to PASV on IPv6 or after EPSV worked before', () => {
    expect(() => runTranscript(passiveDialog({ controlHost: '::1', family: 6 }), ['C: EPSV', 'S: 500 no'])).toThrow(FtpReplyError);
    expect(() => runTranscript(passiveDialog({ controlHost: '127.0.0.1', family: 4, known: 'epsv' }), ['C: EPSV', 'S: 500 no'])).toThrow(FtpReplyError);
  });

  it('rejects a garbled 227', () => {
    expect(() => runTranscript(passiveDialog({ controlHost: '127.0.0.1', family: 4, known: 'pasv' }), ['C: PASV', 'S: 227 no numbers here'])).toThrow(/bad PASV reply/);
  });
});

describe('activeDialog', () => {
  it('uses EPRT, falls back to PORT for IPv4', () => {
    expect(runTranscript(activeDialog({ host: '127.0.0.1', port: 1025 }), ['C: EPRT |1|127.0.0.1|1025|', 'S: 200 ok'])).toBe('eprt');
    expect(runTranscript(activeDialog({ host: '::ffff:127.0.0.1', port: 1025 }), [
      'C: EPRT |1|127.0.0.1|1025|', 'S: 500 unknown', 'C: PORT 127,0,0,1,4,1', 'S: 200 ok',
    ])).toBe('port');
    expect(runTranscript(activeDialog({ host: '::1', port: 1025 }), ['C: EPRT |2|::1|1025|', 'S: 200 ok'])).toBe('eprt');
    expect(() => runTranscript(activeDialog({ host: '::1', port: 1025 }), ['C: EPRT |2|::1|1025|', 'S: 522 no'])).toThrow(FtpReplyError);
  });
});
