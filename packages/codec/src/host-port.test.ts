import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AddressError } from './errors.js';
import {
  formatEprtArg,
  formatEpsvReplyText,
  formatPasvReplyText,
  formatPortArg,
  parseEprtArg,
  parseEpsvReplyText,
  parsePasvReplyText,
  parsePortArg,
} from './host-port.js';
import { formatIpv6, parseIpv6 } from './ip-address.js';
import { fixtureText } from './test-support/chunks.js';

const ipv4 = fc.ipV4();
const port = fc.integer({ min: 1, max: 65535 });
const SERVERS = ['vsftpd', 'pure-ftpd', 'proftpd'];

function expectAddressError(fn: () => unknown): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AddressError);
  expect((err as AddressError).code).toBe('BAD_ADDRESS');
}

describe('PORT / PASV (RFC 959)', () => {
  test('format and parse', () => {
    expect(formatPortArg({ host: '127.0.0.1', port: 1025 })).toBe('127,0,0,1,4,1');
    expect(formatPortArg({ host: '::ffff:10.0.0.2', port: 21 })).toBe('10,0,0,2,0,21');
    expect(parsePortArg('127,0,0,1,4,1')).toEqual({ host: '127.0.0.1', port: 1025 });
    expect(parsePortArg(' 127, 000,0 ,1,4,1 ')).toEqual({ host: '127.0.0.1', port: 1025 });
    expect(formatPasvReplyText({ host: '127.0.0.1', port: 1025 })).toBe('Entering Passive Mode (127,0,0,1,4,1).');
  });

  test.each(['256,0,0,1,4,1', '127,0,0,1,0,0', '127,0,0,1,256,1', '127,0,0,1,4', '127,0,0,1,4,1,1', 'a,b,c,d,e,f', '', '1270,0,0,1,4,1', '-1,0,0,1,4,1'])(
    'parsePortArg refuses %j',
    (arg) => expectAddressError(() => parsePortArg(arg)),
  );

  test('formatting refuses non-IPv4 hosts and bad ports', () => {
    expectAddressError(() => formatPortArg({ host: '::1', port: 21 }));
    expectAddressError(() => formatPortArg({ host: 'localhost', port: 21 }));
    expectAddressError(() => formatPasvReplyText({ host: '127.0.0.1', port: 0 }));
    expectAddressError(() => formatPortArg({ host: '127.0.0.1', port: 65536 }));
    expectAddressError(() => formatPortArg({ host: '127.0.0.1', port: 21.5 }));
  });

  test('227 text is read tolerantly', () => {
    expect(parsePasvReplyText('Entering Passive Mode (192,168,1,2,195,80).')).toEqual({ host: '192.168.1.2', port: 50000 });
    expect(parsePasvReplyText('Entering Passive Mode 192,168,1,2,195,80')).toEqual({ host: '192.168.1.2', port: 50000 });
    expect(parsePasvReplyText('=192,168,1,2,195,80')).toEqual({ host: '192.168.1.2', port: 50000 });
    expectAddressError(() => parsePasvReplyText('Entering Passive Mode (1192,168,1,2,195,80)'));
    expectAddressError(() => parsePasvReplyText('Entering Passive Mode (192,168,1,2,195,800)'));
    expectAddressError(() => parsePasvReplyText('Entering Passive Mode (300,168,1,2,195,80)'));
    expectAddressError(() => parsePasvReplyText('Entering Passive Mode'));
  });

  test.each(SERVERS)('reads the captured %s 227 reply', (server) => {
    const text = fixtureText(`${server}-pasv.txt`).slice(4).trimEnd();
    const hp = parsePasvReplyText(text);
    expect(hp.host).toBe('127.0.0.1');
    expect(hp.port).toBeGreaterThan(1024);
  });

  test('property: PORT and 227 round-trip', () => {
    fc.assert(
      fc.property(ipv4, port, (host, p) => {
        expect(parsePortArg(formatPortArg({ host, port: p }))).toEqual({ host, port: p });
        expect(parsePasvReplyText(formatPasvReplyText({ host, port: p }))).toEqual({ host, port: p });
      }),
    );
  });
});

describe('EPRT / EPSV (RFC 2428)', () => {
  test('format and parse IPv4 and IPv6', () => {
    expect(formatEprtArg({ host: '127.0.0.1', port: 1025 })).toBe('|1|127.0.0.1|1025|');
    expect(formatEprtArg({ host: '::1', port: 1025 })).toBe('|2|::1|1025|');
    expect(formatEprtArg({ host: '2001:DB8:0:0:0:0:0:1', port: 1 })).toBe('|2|2001:db8::1|1|');
    expect(formatEprtArg({ host: '::ffff:127.0.0.1', port: 5 })).toBe('|1|127.0.0.1|5|');
    expect(parseEprtArg('|2|::1|1025|')).toEqual({ family: 2, host: '::1', port: 1025 });
    expect(parseEprtArg('|1|132.235.1.2|6275|')).toEqual({ family: 1, host: '132.235.1.2', port: 6275 });
    expect(parseEprtArg('!2!1080::8:800:200C:417A!5282!')).toEqual({ family: 2, host: '1080::8:800:200c:417a', port: 5282 });
    expect(parseEprtArg('|2|::ffff:1.2.3.4|80|')).toEqual({ family: 2, host: '::ffff:1.2.3.4', port: 80 });
  });

  test.each([
    '',
    '|3|::1|21|',
    '|1|::1|21|',
    '|2|127.0.0.1|21|',
    '|1|127.0.0.1|0|',
    '|1|127.0.0.1|65536|',
    '|1|127.0.0.1|21',
    '|1|127.0.0.1|21||',
    ' |1|127.0.0.1|21|',
    '|2|fe80::1%eth0|21|',
    '|2|1::2::3|21|',
    '|2|1:2:3:4:5:6:7:8:9|21|',
    '|2|12345::|21|',
    '|2|::1.2.3|21|',
    '|2|1.2.3.4::|21|',
    '|2|1:2:3:4:5:6:7|21|',
    '|1|localhost|21|',
    '|1|127.0.0.1|+21|',
    '\u00e9',
  ])('parseEprtArg refuses %j', (arg) => expectAddressError(() => parseEprtArg(arg)));

  test('formatEprtArg refuses names and bad ports', () => {
    expectAddressError(() => formatEprtArg({ host: 'example.com', port: 21 }));
    expectAddressError(() => formatEprtArg({ host: '::1', port: 0 }));
  });

  test('229 text', () => {
    expect(formatEpsvReplyText(1025)).toBe('Entering Extended Passive Mode (|||1025|)');
    expect(parseEpsvReplyText('Entering Extended Passive Mode (|||1025|)')).toBe(1025);
    expect(parseEpsvReplyText('Extended Passive mode OK (!!!6446!)')).toBe(6446);
    expect(parseEpsvReplyText('ok |||2000|')).toBe(2000);
    expectAddressError(() => parseEpsvReplyText('Entering Extended Passive Mode (|||0|)'));
    expectAddressError(() => parseEpsvReplyText('Entering Extended Passive Mode (|||70000|)'));
    expectAddressError(() => parseEpsvReplyText('Entering Extended Passive Mode'));
    expectAddressError(() => parseEpsvReplyText('(1112341)'));
    expectAddressError(() => formatEpsvReplyText(0));
  });

  test.each(SERVERS)('reads the captured %s 229 reply', (server) => {
    expect(parseEpsvReplyText(fixtureText(`${server}-epsv.txt`))).toBeGreaterThan(1024);
  });

  test('property: EPRT round-trips IPv4 and IPv6 (hosts come back in RFC 5952 form)', () => {
    fc.assert(
      fc.property(ipv4, port, (host, p) => {
        expect(parseEprtArg(formatEprtArg({ host, port: p }))).toEqual({ family: 1, host, port: p });
      }),
    );
    fc.assert(
      fc.property(fc.ipV6(), port, (host, p) => {
        const groups = parseIpv6(host);
        expect(groups).toBeDefined();
        const canonical = formatIpv6(groups as number[]);
        const parsed = parseEprtArg(formatEprtArg({ host, port: p }));
        if (canonical.startsWith('::ffff:') && canonical.includes('.')) {
          expect(parsed).toEqual({ family: 1, host: canonical.slice(7), port: p });
        } else {
          expect(parsed).toEqual({ family: 2, host: canonical, port: p });
          // canonical text is a fixed point
          expect(parseEprtArg(formatEprtArg({ host: canonical, port: p })).host).toBe(canonical);
        }
      }),
    );
  });

  test('property: EPSV round-trips any port', () => {
    fc.assert(
      fc.property(port, (p) => {
        expect(parseEpsvReplyText(formatEpsvReplyText(p))).toBe(p);
      }),
    );
  });

  test('property: parsers throw only AddressError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        for (const parse of [parsePortArg, parsePasvReplyText, parseEprtArg, parseEpsvReplyText]) {
          try {
            parse(text);
          } catch (err) {
            expect(err).toBeInstanceOf(AddressError);
          }
        }
      }),
    );
  });
});

describe('RFC 5952 canonical IPv6', () => {
  test.each([
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
    ['2001:0db8:0000:0000:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1::', '1::'],
    ['::ffff:0a00:0001', '::ffff:10.0.0.1'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ])('%s -> %s', (input, out) => {
    expect(formatIpv6(parseIpv6(input) as number[])).toBe(out);
  });
});
