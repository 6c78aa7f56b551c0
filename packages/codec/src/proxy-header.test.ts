/**
 * Fixtures `proxy-haproxy-*.bin` are the first bytes HAProxy 2.6.12 (Debian 12 `haproxy`) sent to a
 * Node listener on 127.0.0.1, captured 2026-11-25 about 16:50 UTC. Frontends in `mode tcp` bound to
 * 127.0.0.1, [::1] and [::ffff:127.0.0.1] (v4v6, giving IPv4-mapped addresses), one backend server
 * each with `send-proxy`, `send-proxy-v2`, or `send-proxy-v2 proxy-v2-options crc32c,unique-id`
 * (`unique-id-format ftpkit-%ci:%cp`); the `*-check` files are health checks
 * (`check check-send-proxy`, `option tcp-check`). The client sent nothing, as an FTP client would.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeProxyHeaderV2, formatProxyHeaderV1, ProxyHeaderDecoder, ProxyHeaderError } from './proxy-header.js';
import type { ProxyHeader, ProxyHeaderDecoderOptions, ProxyTlv } from './proxy-header.js';
import { bytes, chunkings, concat, fixture } from './test-support/chunks.js';

const SIG = Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a);
const FTP = bytes('USER anonymous\r\n');

/** Feeds `chunks`; once the header is out, later chunks are appended to `rest` (they are FTP bytes). */
function decodeAll(chunks: readonly Uint8Array[], opts?: ProxyHeaderDecoderOptions): { header: ProxyHeader; rest: Uint8Array } | undefined {
  const d = new ProxyHeaderDecoder(opts);
  for (let i = 0; i < chunks.length; i++) {
    const got = d.push(chunks[i] as Uint8Array);
    if (got) {
      expect(d.pendingBytes).toBe(0);
      return { header: got.header, rest: concat([got.rest, ...chunks.slice(i + 1)]) };
    }
  }
  return undefined;
}

/** Every chunking of `input` (header followed by FTP bytes) must give `header` and the FTP bytes. */
function expectAllSplits(input: Uint8Array, header: ProxyHeader, opts?: ProxyHeaderDecoderOptions): void {
  for (const [label, chunks] of chunkings(concat([input, FTP]))) {
    const got = decodeAll(chunks, opts);
    expect(got?.header, label).toEqual(header);
    expect(got?.rest, label).toEqual(FTP);
  }
}

/** The error `push` throws for these chunks, or undefined when none. */
function errorOf(chunks: readonly Uint8Array[], opts?: ProxyHeaderDecoderOptions): unknown {
  try {
    decodeAll(chunks, opts);
    return undefined;
  } catch (err) {
    return err;
  }
}

/**
 * Every chunking of `input` must be refused with a message matching `message`; byte by byte, the
 * refusal must come at byte `at` (default: the last byte), not later.
 */
function expectRefused(input: Uint8Array, message: RegExp, at = input.length - 1, opts?: ProxyHeaderDecoderOptions): void {
  for (const [label, chunks] of chunkings(input)) {
    const err = errorOf(chunks, opts);
    expect(err, label).toBeInstanceOf(ProxyHeaderError);
    expect((err as ProxyHeaderError).message, label).toMatch(message);
    expect((err as ProxyHeaderError).code).toBe('BAD_PROXY_HEADER');
  }
  const d = new ProxyHeaderDecoder(opts);
  for (let i = 0; i < at; i++) expect(d.push(input.subarray(i, i + 1)), `byte ${i}`).toBeUndefined();
  expect(() => d.push(input.subarray(at, at + 1)), `byte ${at}`).toThrow(ProxyHeaderError);
}

const v2 = (verCmd: number, fam: number, body: Uint8Array): Uint8Array =>
  concat([SIG, Uint8Array.of(verCmd, fam, body.length >> 8, body.length & 0xff), body]);
const tlv = (type: number, value: Uint8Array): Uint8Array => concat([Uint8Array.of(type, value.length >> 8, value.length & 0xff), value]);
const ADDR4 = Uint8Array.of(192, 0, 2, 1, 198, 51, 100, 7, 0x04, 0x01, 0x00, 0x15); // 192.0.2.1:1025 -> 198.51.100.7:21

describe('ProxyHeaderDecoder: real HAProxy headers', () => {
  const cases: Array<[string, ProxyHeader]> = [
    ['v1-tcp4', { version: 1, command: 'PROXY', family: 'tcp4', source: { host: '127.0.0.1', port: 59866 }, destination: { host: '127.0.0.1', port: 46493 } }],
    ['v1-check', { version: 1, command: 'PROXY', family: 'tcp4', source: { host: '127.0.0.1', port: 36042 }, destination: { host: '127.0.0.1', port: 36059 } }],
    ['v1-tcp6', { version: 1, command: 'PROXY', family: 'tcp6', source: { host: '::1', port: 36626 }, destination: { host: '::1', port: 44029 } }],
    [
      'v1-tcp6-mapped',
      { version: 1, command: 'PROXY', family: 'tcp6', source: { host: '::ffff:127.0.0.1', port: 44218 }, destination: { host: '::ffff:127.0.0.1', port: 37773 } },
    ],
    ['v2-tcp4', { version: 2, command: 'PROXY', family: 'tcp4', source: { host: '127.0.0.1', port: 53220 }, destination: { host: '127.0.0.1', port: 43733 }, tlvs: [] }],
    ['v2-tcp6', { version: 2, command: 'PROXY', family: 'tcp6', source: { host: '::1', port: 48100 }, destination: { host: '::1', port: 38259 }, tlvs: [] }],
    [
      'v2-tcp4-crc32c-unique-id',
      {
        version: 2,
        command: 'PROXY',
        family: 'tcp4',
        source: { host: '127.0.0.1', port: 33686 },
        destination: { host: '127.0.0.1', port: 40461 },
        tlvs: [
          { type: 3, value: Uint8Array.of(0x94, 0x10, 0xc6, 0xa2) },
          { type: 5, value: bytes('ftpkit-127.0.0.1:33686') },
        ],
      },
    ],
    ['v2-local-check', { version: 2, command: 'LOCAL', family: 'unknown', tlvs: [] }],
  ];

  for (const [name, header] of cases) {
    test(`${name}: whole, byte by byte, split at every offset, FTP bytes after it kept`, () => {
      expectAllSplits(fixture(`proxy-haproxy-${name}.bin`), header);
    });
  }

  test('the CRC32C HAProxy computed is verified: one flipped bit anywhere is refused', () => {
    const good = fixture('proxy-haproxy-v2-tcp4-crc32c-unique-id.bin');
    // 16..27 addresses and ports, 31..34 the CRC itself, 38..59 the unique id (28..30 and 35..37 are
    // TLV type/length bytes: changing those breaks the TLV layout instead).
    const covered = [...Array(12).keys()].map((i) => 16 + i).concat([31, 32, 33, 34], [...Array(22).keys()].map((i) => 38 + i));
    expect(good.length).toBe(60);
    for (const i of covered) {
      const bad = good.slice();
      bad[i] = (bad[i] as number) ^ 0x01;
      const err = errorOf([bad]);
      expect(err, `byte ${i}`).toBeInstanceOf(ProxyHeaderError);
      expect((err as Error).message).toMatch(/CRC32C checksum/);
    }
  });

  test('the encoder writes the same bytes HAProxy sent (v1 and v2, CRC32C included)', () => {
    for (const [name, header] of cases) {
      const raw = fixture(`proxy-haproxy-${name}.bin`);
      if (header.version === 1) expect(bytes(formatProxyHeaderV1(header)), name).toEqual(raw);
      else expect(encodeProxyHeaderV2(header), name).toEqual(raw);
    }
  });
});

describe('ProxyHeaderDecoder: v1', () => {
  const addr = (host: string, port: number) => ({ host, port });

  test('accepts the spec forms; IPv6 comes out in RFC 5952 form', () => {
    expectAllSplits(bytes('PROXY TCP4 255.255.255.255 0.0.0.0 65535 0\r\n'), {
      version: 1,
      command: 'PROXY',
      family: 'tcp4',
      source: addr('255.255.255.255', 65535),
      destination: addr('0.0.0.0', 0),
    });
    expectAllSplits(bytes('PROXY TCP6 2001:DB8:0:0:0:0:0:1 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 1 21\r\n'), {
      version: 1,
      command: 'PROXY',
      family: 'tcp6',
      source: addr('2001:db8::1', 1),
      destination: addr('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 21),
    });
    expectAllSplits(bytes('PROXY TCP6 :: 1:2:3:4:5:6:1.2.3.4 1 2\r\n'), {
      version: 1,
      command: 'PROXY',
      family: 'tcp6',
      source: addr('::', 1),
      destination: addr('1:2:3:4:5:6:102:304', 2),
    });
  });

  test('UNKNOWN: short form, and the long form whose rest is ignored (§2.1), up to exactly 107 bytes', () => {
    const unknown: ProxyHeader = { version: 1, command: 'PROXY', family: 'unknown' };
    expectAllSplits(bytes('PROXY UNKNOWN\r\n'), unknown);
    expectAllSplits(bytes('PROXY UNKNOWN ::1 ::1 1 2\r\n'), unknown);
    expectAllSplits(bytes('PROXY UNKNOWN \r\n'), unknown);
    const longest = `PROXY UNKNOWN ${'ffff:'.repeat(7)}ffff ${'ffff:'.repeat(7)}ffff 65535 65535\r\n`;
    expect(longest.length).toBe(107);
    expectAllSplits(bytes(longest), unknown);
    expectRefused(bytes(`PROXY UNKNOWN ${'x'.repeat(92)}\r\n`), /no CRLF within 107 bytes/, 105);
  });

  test('the longest TCP6 line fits and a 107-byte limit holds even with a larger maxHeaderBytes', () => {
    const full = `PROXY TCP6 ${'ffff:'.repeat(7)}ffff ${'ffff:'.repeat(7)}ffff 65535 65535\r\n`;
    expect(full.length).toBe(104);
    expectAllSplits(bytes(full), {
      version: 1,
      command: 'PROXY',
      family: 'tcp6',
      source: addr('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 65535),
      destination: addr('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 65535),
    });
    expectRefused(bytes(`PROXY UNKNOWN ${'x'.repeat(200)}`), /no CRLF within 107 bytes/, 105, { maxHeaderBytes: 65551 });
  });

  test('a smaller maxHeaderBytes also caps v1', () => {
    expectAllSplits(bytes('PROXY UNKNOWN\r\n'), { version: 1, command: 'PROXY', family: 'unknown' }, { maxHeaderBytes: 16 });
    expectRefused(bytes('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n'), /no CRLF within 16 bytes/, 14, { maxHeaderBytes: 16 });
  });

  // [line, message, index of the first byte that makes it impossible]
  const bad: Array<[string, RegExp, number]> = [
    ['PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n', /TCP4, TCP6 or UNKNOWN/, 6],
    ['PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n', /TCP4, TCP6 or UNKNOWN/, 6],
    ['PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n', /TCP4, TCP6 or UNKNOWN/, 9],
    ['PROXY UNKNOWNX\r\n', /TCP4, TCP6 or UNKNOWN/, 13],
    ['PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n', /TCP4, TCP6 or UNKNOWN/, 7],
    ['PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n', /start with "PROXY "/, 5],
    ['PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n', /destination is not an IPv4/, 19],
    ['PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n', /source is not an IPv4/, 12],
    ['PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n', /source is not an IPv4/, 19],
    ['PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n', /source is not an IPv4/, 16],
    ['PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n', /source is not an IPv4/, 18],
    ['PROXY TCP4 ::1 ::1 1 2\r\n', /source is not an IPv4/, 11],
    ['PROXY TCP6 1.2.3.4 ::1 1 2\r\n', /source is not an IPv6/, 12],
    ['PROXY TCP6 ::1%lo ::1 1 2\r\n', /source is not an IPv6/, 14],
    ['PROXY TCP6 1::2::3 ::1 1 2\r\n', /source is not an IPv6/, 16],
    ['PROXY TCP6 12345:: ::1 1 2\r\n', /source is not an IPv6/, 15],
    ['PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n', /source is not an IPv6/, 26],
    ['PROXY TCP6 1:2:3:4:5:6:7:8:: ::1 1 2\r\n', /source is not an IPv6/, 26],
    ['PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n', /source is not an IPv6/, 24],
    ['PROXY TCP6 :1:2:3:4:5:6:7 ::1 1 2\r\n', /source is not an IPv6/, 12],
    ['PROXY TCP6 ::ffff:1.2.3.04 ::1 1 2\r\n', /source is not an IPv6/, 25],
    ['PROXY TCP6 1:2:3:4:5:1.2.3.4 ::1 1 2\r\n', /source is not an IPv6/, 22],
    ['PROXY TCP6 1.2::3 ::1 1 2\r\n', /source is not an IPv6/, 12],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n', /source port/, 28],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n', /source port/, 31],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n', /source port/, 27],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n', /fields after/, 30],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n', /fields after/, 30],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n', /missing fields/, 28],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n', /bare LF/, 30],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX\n', /CR not followed by LF/, 31],
    ['PROXY TCP4\r\n', /missing fields/, 10],
    ['PROXY UNKNOWN \rx\n', /CR not followed by LF/, 15],
    ['PROXY UNKNOWN x\ny\r\n', /bare LF/, 15],
  ];
  for (const [line, message, at] of bad) {
    test(`refuses ${JSON.stringify(line)} at byte ${at}`, () => expectRefused(bytes(line), message, at));
  }
});

describe('ProxyHeaderDecoder: v2', () => {
  test('TCP over IPv4 and IPv6 with TLVs (SSL with sub-TLVs, NOOP, custom, AUTHORITY), at every split', () => {
    const ssl = concat([Uint8Array.of(0x01, 0, 0, 0, 0), tlv(0x21, bytes('TLSv1.3')), tlv(0x22, bytes('example.com'))]);
    const body = concat([ADDR4, tlv(0x02, bytes('ftp.example.com')), tlv(0x20, ssl), tlv(0x04, new Uint8Array(0)), tlv(0xe0, Uint8Array.of(1, 2, 3))]);
    expectAllSplits(v2(0x21, 0x11, body), {
      version: 2,
      command: 'PROXY',
      family: 'tcp4',
      source: { host: '192.0.2.1', port: 1025 },
      destination: { host: '198.51.100.7', port: 21 },
      tlvs: [
        { type: 0x02, value: bytes('ftp.example.com') },
        { type: 0x20, value: ssl },
        { type: 0x04, value: new Uint8Array(0) },
        { type: 0xe0, value: Uint8Array.of(1, 2, 3) },
      ],
    });
    const six = new Uint8Array(36);
    six.set([0x20, 0x01, 0x0d, 0xb8], 0);
    six[15] = 1;
    six.set([0xff, 0xff, 192, 0, 2, 9], 26);
    six.set([0xc0, 0x00, 0x00, 0x15], 32);
    expectAllSplits(v2(0x21, 0x21, six), {
      version: 2,
      command: 'PROXY',
      family: 'tcp6',
      source: { host: '2001:db8::1', port: 49152 },
      destination: { host: '::ffff:192.0.2.9', port: 21 },
      tlvs: [],
    });
  });

  test('families without usable addresses: UNSPEC, UDP (falls back to UNSPEC), UNIX; LOCAL ignores the family', () => {
    const none = (command: 'PROXY' | 'LOCAL', family: ProxyHeader['family']): ProxyHeader => ({ version: 2, command, family, tlvs: [] });
    expectAllSplits(v2(0x21, 0x00, new Uint8Array(0)), none('PROXY', 'unknown'));
    expectAllSplits(v2(0x21, 0x12, ADDR4), none('PROXY', 'unknown'));
    expectAllSplits(v2(0x21, 0x22, new Uint8Array(36)), none('PROXY', 'unknown'));
    expectAllSplits(v2(0x21, 0x31, new Uint8Array(216).fill(0x2f)), none('PROXY', 'unix'));
    expectAllSplits(v2(0x21, 0x32, new Uint8Array(216)), none('PROXY', 'unknown'));
    expectAllSplits(v2(0x20, 0x11, ADDR4), none('LOCAL', 'unknown'));
    // §2.2: "must not assume zero is presented for LOCAL": a short block is skipped whole.
    expectAllSplits(v2(0x20, 0x21, Uint8Array.of(1, 2, 3)), none('LOCAL', 'unknown'));
    expectAllSplits(v2(0x20, 0x00, tlv(0x05, bytes('id'))), { ...none('LOCAL', 'unknown'), tlvs: [{ type: 5, value: bytes('id') }] });
  });

  test('refuses a bad signature, version, command or family at the byte that shows it', () => {
    expectRefused(Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a, 0x01), /v2 signature \(byte 4/);
    expectRefused(bytes('\r\n\r\nQUIT\r\n'), /v2 signature \(byte 4/, 4);
    expectRefused(concat([SIG, Uint8Array.of(0x11, 0x11, 0, 12), ADDR4]), /version 1/, 12);
    expectRefused(concat([SIG, Uint8Array.of(0x31)]), /version 3/);
    expectRefused(concat([SIG, Uint8Array.of(0x22)]), /unknown command 2/);
    for (const fam of [0x01, 0x10, 0x13, 0x23, 0x33, 0x41, 0xff]) {
      expectRefused(concat([SIG, Uint8Array.of(0x21, fam)]), /unknown family\/protocol/);
    }
  });

  test('refuses a length too short for the addresses, or over the limit, at the length bytes', () => {
    expectRefused(v2(0x21, 0x11, ADDR4.subarray(0, 11)), /shorter than the 12-byte address block/, 15);
    expectRefused(v2(0x21, 0x21, new Uint8Array(35)), /shorter than the 36-byte/, 15);
    expectRefused(v2(0x21, 0x31, new Uint8Array(215)), /shorter than the 216-byte/, 15);
    const big = v2(0x21, 0x11, concat([ADDR4, tlv(0x04, new Uint8Array(4096 - 16 - 12 - 3 + 1))]));
    expect(big.length).toBe(4097);
    expectRefused(big.subarray(0, 16), /4097 bytes exceeds the 4096-byte limit/, 15);
    const header = decodeAll([big], { maxHeaderBytes: 65551 })?.header;
    expect(header?.tlvs?.[0]?.value.length).toBe(4066);
    const largest = v2(0x20, 0x00, tlv(0x04, new Uint8Array(0xffff - 3)));
    expect(decodeAll([largest], { maxHeaderBytes: 65551 })?.header.tlvs?.[0]?.value.length).toBe(0xfffc);
  });

  test('refuses malformed TLVs once the block is complete', () => {
    expectRefused(v2(0x21, 0x11, concat([ADDR4, Uint8Array.of(0x04, 0x00)])), /truncated TLV header/);
    expectRefused(v2(0x21, 0x11, concat([ADDR4, Uint8Array.of(0x04, 0x00, 0x02, 0x00)])), /runs past the header/);
    expectRefused(v2(0x21, 0x11, concat([ADDR4, tlv(0x03, Uint8Array.of(1, 2, 3))])), /CRC32C TLV must be 4 bytes/);
    expectRefused(v2(0x21, 0x11, concat([ADDR4, tlv(0x03, new Uint8Array(4))])), /checksum does not match/);
    expectRefused(v2(0x21, 0x11, concat([ADDR4, tlv(0x05, new Uint8Array(129))])), /UNIQUE_ID TLV longer than 128/);
    expect(decodeAll([v2(0x21, 0x11, concat([ADDR4, tlv(0x05, new Uint8Array(128))]))])?.header.tlvs?.[0]?.value.length).toBe(128);
    expectRefused(v2(0x21, 0x11, concat([ADDR4, tlv(0x20, Uint8Array.of(1, 0, 0, 0))])), /SSL TLV shorter/);
    expectRefused(v2(0x21, 0x11, concat([ADDR4, tlv(0x20, Uint8Array.of(1, 0, 0, 0, 0, 0x21, 0, 9, 0x41))])), /SSL sub-TLVs: TLV 0x21 runs past/);
    const twoCrc = encodeProxyHeaderV2({ version: 2, command: 'LOCAL', family: 'unknown', tlvs: [{ type: 3, value: new Uint8Array(4) }] });
    const doubled = v2(0x20, 0x00, concat([twoCrc.subarray(16), twoCrc.subarray(16)]));
    expectRefused(doubled, /two CRC32C TLVs/);
  });
});

describe('ProxyHeaderDecoder: what is not a PROXY header', () => {
  test('plain FTP, HTTP, TLS and SSH bytes are refused at the first byte', () => {
    for (const input of [bytes('USER anonymous\r\n'), bytes('GET / HTTP/1.1\r\n'), Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00), bytes('SSH-2.0-x\r\n'), Uint8Array.of(0)]) {
      expectRefused(input, /not a PROXY v1 or v2 header \(first byte/, 0);
    }
    expectRefused(bytes('PROXX'), /start with "PROXY "/, 4);
    expectRefused(bytes('\r\nUSER x'), /v2 signature \(byte 2/, 2);
  });

  test('accept: "v1" refuses v2 at its first byte and "v2" refuses v1', () => {
    expectRefused(fixture('proxy-haproxy-v2-tcp4.bin'), /not a PROXY v1 header/, 0, { accept: 'v1' });
    expectRefused(fixture('proxy-haproxy-v1-tcp4.bin'), /not a PROXY v2 header/, 0, { accept: 'v2' });
    expect(decodeAll([fixture('proxy-haproxy-v1-tcp4.bin')], { accept: 'v1' })?.header.version).toBe(1);
    expect(decodeAll([fixture('proxy-haproxy-v2-tcp4.bin')], { accept: 'v2' })?.header.version).toBe(2);
  });

  test('an incomplete header returns undefined and holds its bytes; an empty chunk changes nothing', () => {
    const d = new ProxyHeaderDecoder();
    expect(d.push(new Uint8Array(0))).toBeUndefined();
    expect(d.push(bytes('PROXY TCP4 1.2'))).toBeUndefined();
    expect(d.pendingBytes).toBe(14);
    const got = d.push(bytes('.3.4 5.6.7.8 1 2\r\n'));
    expect(got?.rest.length).toBe(0);
    expect(d.pendingBytes).toBe(0);
  });

  test('after a refusal every call throws the same error; after the header, push is a programming error', () => {
    const d = new ProxyHeaderDecoder();
    const first = errorOf([bytes('X')]);
    expect(() => d.push(bytes('X'))).toThrow(ProxyHeaderError);
    let again: unknown;
    try {
      d.push(bytes('PROXY UNKNOWN\r\n'));
    } catch (err) {
      again = err;
    }
    expect(again).toBeInstanceOf(ProxyHeaderError);
    expect((again as Error).message).toBe((first as Error).message);
    const done = new ProxyHeaderDecoder();
    expect(done.push(bytes('PROXY UNKNOWN\r\n'))).toBeDefined();
    const misuse = (() => {
      try {
        done.push(bytes('NOOP\r\n'));
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(misuse).toBeInstanceOf(Error);
    expect(misuse).not.toBeInstanceOf(ProxyHeaderError);
  });

  test('options are checked', () => {
    expect(() => new ProxyHeaderDecoder({ maxHeaderBytes: 15 })).toThrow(RangeError);
    expect(() => new ProxyHeaderDecoder({ maxHeaderBytes: 65552 })).toThrow(RangeError);
    expect(() => new ProxyHeaderDecoder({ maxHeaderBytes: 100.5 })).toThrow(RangeError);
    expect(() => new ProxyHeaderDecoder({ accept: 'v3' as 'v1' })).toThrow(RangeError);
    expect(new ProxyHeaderError('x')).toMatchObject({ name: 'ProxyHeaderError', code: 'BAD_PROXY_HEADER' });
  });
});

describe('formatProxyHeaderV1 / encodeProxyHeaderV2', () => {
  const tcp4: ProxyHeader = { version: 1, command: 'PROXY', family: 'tcp4', source: { host: '192.0.2.1', port: 1025 }, destination: { host: '198.51.100.7', port: 21 } };

  test('write the spec forms', () => {
    expect(formatProxyHeaderV1(tcp4)).toBe('PROXY TCP4 192.0.2.1 198.51.100.7 1025 21\r\n');
    expect(formatProxyHeaderV1({ ...tcp4, family: 'tcp6', source: { host: '2001:DB8:0::1', port: 1 }, destination: { host: '::1', port: 2 } })).toBe(
      'PROXY TCP6 2001:db8::1 ::1 1 2\r\n',
    );
    expect(formatProxyHeaderV1({ version: 1, command: 'PROXY', family: 'unknown' })).toBe('PROXY UNKNOWN\r\n');
    expect(encodeProxyHeaderV2({ ...tcp4, version: 2 })).toEqual(v2(0x21, 0x11, ADDR4));
    expect(encodeProxyHeaderV2({ version: 2, command: 'LOCAL', family: 'tcp4' })).toEqual(v2(0x20, 0x00, new Uint8Array(0)));
    expect(encodeProxyHeaderV2({ version: 2, command: 'PROXY', family: 'unix' })).toEqual(v2(0x21, 0x31, new Uint8Array(216)));
    expect(encodeProxyHeaderV2({ version: 2, command: 'PROXY', family: 'unknown', tlvs: [{ type: 4, value: Uint8Array.of(9) }] })).toEqual(
      v2(0x21, 0x00, Uint8Array.of(4, 0, 1, 9)),
    );
  });

  test('refuse what cannot be written', () => {
    const bad: ProxyHeader[] = [
      { ...tcp4, command: 'LOCAL' },
      { ...tcp4, family: 'unix' },
      { ...tcp4, source: undefined },
      { ...tcp4, source: { host: '1.2.3.04', port: 1 } },
      { ...tcp4, source: { host: '::1', port: 1 } },
      { ...tcp4, family: 'tcp6' },
      { ...tcp4, destination: { host: '1.2.3.4', port: 65536 } },
      { ...tcp4, destination: { host: '1.2.3.4', port: 1.5 } },
    ];
    for (const h of bad.slice(0, 1)) expect(() => formatProxyHeaderV1(h), JSON.stringify(h)).toThrow(RangeError);
    for (const h of bad.slice(1)) expect(() => formatProxyHeaderV1(h), JSON.stringify(h)).toThrow(RangeError);
    for (const h of bad.slice(2)) expect(() => encodeProxyHeaderV2(h), JSON.stringify(h)).toThrow(RangeError);
    const local: ProxyHeader = { version: 2, command: 'LOCAL', family: 'unknown' };
    expect(() => encodeProxyHeaderV2({ ...local, command: 'OTHER' as 'LOCAL' })).toThrow(RangeError);
    expect(() => encodeProxyHeaderV2({ ...local, tlvs: [{ type: 256, value: new Uint8Array(0) }] })).toThrow(RangeError);
    expect(() => encodeProxyHeaderV2({ ...local, tlvs: [{ type: 4, value: new Uint8Array(0x10000) }] })).toThrow(RangeError);
    expect(() => encodeProxyHeaderV2({ ...local, tlvs: [{ type: 3, value: new Uint8Array(3) }] })).toThrow(RangeError);
    const two = { type: 3, value: new Uint8Array(4) };
    expect(() => encodeProxyHeaderV2({ ...local, tlvs: [two, two] })).toThrow(RangeError);
    const half = { type: 4, value: new Uint8Array(0x8000) };
    expect(() => encodeProxyHeaderV2({ ...local, tlvs: [half, half] })).toThrow(RangeError);
  });
});

describe('properties', () => {
  const port = fc.integer({ min: 0, max: 0xffff });
  const addrOf = (host: fc.Arbitrary<string>) => fc.record({ host, port });
  /** Canonical text the decoder gives back for an address `fc` generated. */
  const canonical6 = (host: string): string => (formatProxyHeaderV1({ version: 1, command: 'PROXY', family: 'tcp6', source: { host, port: 0 }, destination: { host, port: 0 } }).split(' ')[2] as string);
  const headerArb: fc.Arbitrary<ProxyHeader> = fc.oneof(
    fc.record({ version: fc.constant<1>(1), command: fc.constant<'PROXY'>('PROXY'), family: fc.constant<'tcp4'>('tcp4'), source: addrOf(fc.ipV4()), destination: addrOf(fc.ipV4()) }),
    fc.record({ version: fc.constant<1>(1), command: fc.constant<'PROXY'>('PROXY'), family: fc.constant<'tcp6'>('tcp6'), source: addrOf(fc.ipV6()), destination: addrOf(fc.ipV6()) }),
    fc.constant<ProxyHeader>({ version: 1, command: 'PROXY', family: 'unknown' }),
  );
  const tlvArb: fc.Arbitrary<ProxyTlv> = fc.record({
    type: fc.integer({ min: 0, max: 255 }).filter((t) => t !== 0x03 && t !== 0x05 && t !== 0x20),
    value: fc.uint8Array({ maxLength: 40 }),
  });
  /** A random chunking of `input`. */
  const cut = (input: Uint8Array, cuts: number[]): Uint8Array[] => {
    const points = [...new Set(cuts.map((c) => Math.min(c, input.length)))].sort((a, b) => a - b);
    const chunks: Uint8Array[] = [];
    let prev = 0;
    for (const p of [...points, input.length]) {
      chunks.push(input.subarray(prev, p));
      prev = p;
    }
    return chunks;
  };
  const cutsArb = fc.array(fc.nat({ max: 400 }), { maxLength: 6 });

  test('format v1 -> decode gives the header back (IPv6 canonical), in any chunking, FTP bytes after it kept', () => {
    fc.assert(
      fc.property(headerArb, cutsArb, (h, cuts) => {
        const line = formatProxyHeaderV1(h);
        expect(line.length).toBeLessThanOrEqual(107);
        const got = decodeAll(cut(concat([bytes(line), FTP]), cuts));
        const want =
          h.family === 'tcp6' && h.source && h.destination
            ? { ...h, source: { ...h.source, host: canonical6(h.source.host) }, destination: { ...h.destination, host: canonical6(h.destination.host) } }
            : h;
        expect(got?.header).toEqual(want);
        expect(got?.rest).toEqual(FTP);
      }),
    );
  });

  test('every prefix of a valid v1 line is held, never refused (early rejection never refuses a good header)', () => {
    fc.assert(
      fc.property(headerArb, (h) => {
        const line = bytes(formatProxyHeaderV1(h));
        const d = new ProxyHeaderDecoder();
        for (let i = 0; i < line.length - 1; i++) expect(d.push(line.subarray(i, i + 1))).toBeUndefined();
        expect(d.push(line.subarray(line.length - 1))).toBeDefined();
      }),
    );
  });

  test('encode v2 -> decode gives the header back, in any chunking', () => {
    fc.assert(
      fc.property(headerArb, fc.constantFrom<'PROXY' | 'LOCAL'>('PROXY', 'LOCAL'), fc.array(tlvArb, { maxLength: 5 }), fc.boolean(), cutsArb, (h1, command, tlvs, crc, cuts) => {
        const withCrc = crc ? [...tlvs, { type: 3, value: new Uint8Array(4) }] : tlvs;
        const h: ProxyHeader = { ...h1, version: 2, command, tlvs: withCrc };
        const raw = encodeProxyHeaderV2(h);
        const got = decodeAll(cut(concat([raw, FTP]), cuts), { maxHeaderBytes: 65551 });
        expect(got?.rest).toEqual(FTP);
        const header = got?.header as ProxyHeader;
        expect(header.version).toBe(2);
        expect(header.command).toBe(command);
        expect(header.tlvs?.slice(0, tlvs.length)).toEqual(tlvs);
        expect(header.tlvs?.length).toBe(withCrc.length);
        if (command === 'LOCAL') {
          expect(header).toEqual({ version: 2, command, family: 'unknown', tlvs: header.tlvs });
        } else {
          expect(header.family).toBe(h.family);
          expect(formatProxyHeaderV1({ ...header, tlvs: undefined })).toBe(formatProxyHeaderV1(h1));
        }
      }),
    );
  });

  test('arbitrary bytes (also after a valid-looking start) only ever give a header, undefined or ProxyHeaderError', () => {
    const starts = [new Uint8Array(0), bytes('PROXY '), bytes('PROXY TCP4 '), bytes('PROXY TCP6 '), bytes('PROXY UNKNOWN'), SIG, concat([SIG, Uint8Array.of(0x21, 0x11, 0, 20)]), concat([SIG, Uint8Array.of(0x20, 0x00, 0, 8)])];
    const textish = fc.uint8Array({ maxLength: 64 }).map((b) => b.map((x) => [0x20, 0x0d, 0x0a, 0x2e, 0x3a, 0x30, 0x31, 0x66, x][x % 9] as number));
    fc.assert(
      fc.property(fc.constantFrom(...starts), fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), textish), { maxLength: 8 }), fc.constantFrom<'v1' | 'v2' | 'any'>('v1', 'v2', 'any'), (start, chunks, accept) => {
        const d = new ProxyHeaderDecoder({ accept, maxHeaderBytes: 64 });
        try {
          for (const c of [start, ...chunks]) {
            if (d.push(c)) return;
            expect(d.pendingBytes).toBeLessThanOrEqual(64);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(ProxyHeaderError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('changing one byte of a valid header is either still a valid header or a ProxyHeaderError', () => {
    fc.assert(
      fc.property(headerArb, fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 255 }), (h, useV2, where, value) => {
        const raw = useV2 ? encodeProxyHeaderV2({ ...h, version: 2, tlvs: [{ type: 3, value: new Uint8Array(4) }] }) : bytes(formatProxyHeaderV1(h));
        const bad = raw.slice();
        bad[where % bad.length] = value;
        for (const [label, chunks] of [chunkings(bad)[0], chunkings(bad)[1]] as Array<[string, Uint8Array[]]>) {
          try {
            decodeAll(chunks);
          } catch (err) {
            expect(err, label).toBeInstanceOf(ProxyHeaderError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
