/**
 * PROXY protocol headers (HAProxy's v1 text line and v2 binary block): a load balancer puts one in
 * front of the FTP stream so the server learns the real client address.
 *
 * Theory of operation: {@link ProxyHeaderDecoder} copies bytes one at a time into a buffer capped
 * at the header limit. The first byte picks the version ("P" for v1, CR for v2); after every byte
 * the buffer is checked as a *prefix*, so input that can no longer become a valid header fails at
 * the first impossible byte instead of after a timeout. v1 is checked field by field (each finished
 * field fully, the one being written as "could still become valid"); v2 is checked at its fixed
 * offsets (signature, version/command, family, length). The complete header is then decoded once,
 * and whatever followed it in the same chunk is handed back untouched: it is the FTP stream. Any
 * error is final: the decoder throws the same {@link ProxyHeaderError} on every later call.
 *
 * @see HAProxy doc/proxy-protocol.txt (https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt):
 *   §2.1 v1, §2.2 v2, §2.2.1-2.2.7 TLVs
 */
import { formatIpv6, parseIpv6 } from './ip-address.js';

/** PROXY protocol version: 1 is the text line, 2 the binary block. */
export type ProxyVersion = 1 | 2;

/** A host and port named by a PROXY header (IPv6 in RFC 5952 form, e.g. `::ffff:10.0.0.1`). */
export interface ProxyAddress {
  host: string;
  port: number;
}

/** One v2 type-length-value record, top level only (PP2_TYPE_SSL keeps its sub-records in `value`). */
export interface ProxyTlv {
  type: number;
  value: Uint8Array;
}

/**
 * A decoded PROXY header.
 *
 * `source`/`destination` are present only for `command: 'PROXY'` with family `tcp4` or `tcp6`.
 * Without them the receiver uses the socket's own addresses: v1 `UNKNOWN`, v2 `LOCAL` (a balancer's
 * health check), v2 `AF_UNSPEC`, v2 DGRAM (UDP cannot carry FTP; the spec lets a receiver fall back
 * to UNSPEC, so such headers come out as family `unknown`), and v2 `AF_UNIX` (paths, not host/port).
 * `tlvs` is set for v2 only (possibly empty).
 */
export interface ProxyHeader {
  version: ProxyVersion;
  command: 'PROXY' | 'LOCAL';
  family: 'tcp4' | 'tcp6' | 'unix' | 'unknown';
  source?: ProxyAddress;
  destination?: ProxyAddress;
  tlvs?: ProxyTlv[];
}

/** Bytes that are not a valid PROXY header of an accepted version (the peer's mistake). */
export class ProxyHeaderError extends Error {
  override readonly name = 'ProxyHeaderError';
  readonly code = 'BAD_PROXY_HEADER' as const;
}

export interface ProxyHeaderDecoderOptions {
  /** Which versions the listener takes. Default `'any'` (v1 or v2, told apart by the first byte). */
  accept?: 'v1' | 'v2' | 'any';
  /**
   * Largest header in bytes, v2's 16 fixed bytes included. Default 4096 (enough for addresses plus
   * the TLVs HAProxy sends); the protocol allows 16 + 65535. Allowed range 16..65551. A v1 line is
   * never longer than 107 bytes whatever this says, nor longer than this.
   */
  maxHeaderBytes?: number;
}

/** The v2 TLV types this decoder checks. @see proxy-protocol.txt §2.2 */
const PP2_TYPE = { CRC32C: 0x03, UNIQUE_ID: 0x05, SSL: 0x20 } as const;

const V2_SIGNATURE = Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a);
const V2_FIXED = 16;
const V2_MAX = V2_FIXED + 0xffff;
const V1_MAX = 107;
const CR = 0x0d;
const LF = 0x0a;
const P = 0x50;
const UNIQUE_ID_MAX = 128;

/** Address block length and what a v2 family/transport byte stands for. */
interface V2Family {
  addrLen: number;
  family: ProxyHeader['family'];
}

/** The seven valid family/transport bytes; everything else must be rejected. @see §2.2 */
const V2_FAMILIES = new Map<number, V2Family>([
  [0x00, { addrLen: 0, family: 'unknown' }],
  [0x11, { addrLen: 12, family: 'tcp4' }],
  [0x12, { addrLen: 12, family: 'unknown' }],
  [0x21, { addrLen: 36, family: 'tcp6' }],
  [0x22, { addrLen: 36, family: 'unknown' }],
  [0x31, { addrLen: 216, family: 'unix' }],
  [0x32, { addrLen: 216, family: 'unknown' }],
]);

const fail = (message: string): never => {
  throw new ProxyHeaderError(message);
};

// ---------------------------------------------------------------------------------------------
// v1 text fields, each checkable as a finished field or as a prefix of one.

const OCTET = /^(?:0|[1-9]\d{0,2})$/;
const PORT = /^(?:0|[1-9]\d{0,4})$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

const isOctet = (s: string): boolean => OCTET.test(s) && Number(s) <= 255;

/** Dotted quad, no leading zeros (§2.1 forbids them to avoid octal confusion). */
function ipv4Ok(s: string, partial: boolean): boolean {
  const parts = s.split('.');
  if (parts.length > 4 || (!partial && parts.length !== 4)) return false;
  return parts.every((p, i) => isOctet(p) || (partial && i === parts.length - 1 && p === ''));
}

/** How many of the eight groups `items` fill (an IPv4 tail fills two), or -1 if one is malformed. */
function groupCount(items: readonly string[], partial: boolean): number {
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as string;
    const last = i === items.length - 1;
    if (HEX_GROUP.test(item)) n += 1;
    else if (last && item.includes('.') && ipv4Ok(item, partial)) n += 2;
    else if (!(last && partial && item === '')) return -1;
  }
  return n;
}

/**
 * RFC 4291 text (one "::" at most, 1-4 hex digits a group, an IPv4 tail allowed as inet_ntop
 * writes mapped addresses) with exactly 128 bits when finished. As a prefix it must still be
 * completable: a prefix of a valid address is never refused.
 */
function ipv6Ok(s: string, partial: boolean): boolean {
  if (!partial) return ipv6Ok(s, true) && parseIpv6(s) !== undefined;
  if (!/^[0-9A-Fa-f:.]*$/.test(s) || s.includes(':::')) return false;
  if (s === ':') return true;
  const gap = s.indexOf('::');
  if (gap < 0) {
    const items = s.split(':');
    const n = groupCount(items, true);
    // Without "::" an IPv4 tail must follow exactly six groups.
    if (items.at(-1)?.includes('.') && items.length !== 7) return false;
    // Ending in ':' needs one more group (or a "::"), so at most seven may be there already.
    return n >= 0 && (items.at(-1) === '' ? n <= 7 : n <= 8);
  }
  if (s.indexOf('::', gap + 1) >= 0) return false;
  const head = s.slice(0, gap);
  const tail = s.slice(gap + 2);
  const h = head === '' ? 0 : groupCount(head.split(':'), false);
  const tailItems = tail === '' ? [] : tail.split(':');
  const t = groupCount(tailItems, true);
  if (h < 0 || t < 0 || (head !== '' && head.includes('.'))) return false;
  const needsMore = tail !== '' && tailItems.at(-1) === '' ? 1 : 0;
  return h + t + needsMore <= 7;
}

const portOk = (s: string, partial: boolean): boolean => (partial && s === '') || (PORT.test(s) && Number(s) <= 0xffff);

const PROTOCOLS = ['TCP4', 'TCP6', 'UNKNOWN'] as const;

/**
 * Checks a v1 line without its CRLF. `partial`: the line is still arriving, so its last field only
 * has to be a prefix of a valid one. Returns why it is wrong, or undefined.
 */
function checkV1(line: string, partial: boolean): string | undefined {
  const fields = line.split(' ');
  const lastIndex = fields.length - 1;
  let protocol = '';
  for (let i = 0; i <= lastIndex; i++) {
    const f = fields[i] as string;
    const open = partial && i === lastIndex;
    switch (i) {
      case 0:
        if (open ? !'PROXY'.startsWith(f) : f !== 'PROXY') return 'v1 header must start with "PROXY "';
        break;
      case 1:
        if (open ? !PROTOCOLS.some((p) => p.startsWith(f)) : !(PROTOCOLS as readonly string[]).includes(f)) {
          return 'v1 protocol must be TCP4, TCP6 or UNKNOWN';
        }
        protocol = f;
        // §2.1: after UNKNOWN the receiver ignores everything up to the CRLF.
        if (f === 'UNKNOWN' && !open) return undefined;
        break;
      case 2:
      case 3:
        if (!(protocol === 'TCP4' ? ipv4Ok(f, open) : ipv6Ok(f, open))) {
          return `v1 ${i === 2 ? 'source' : 'destination'} is not an ${protocol === 'TCP4' ? 'IPv4' : 'IPv6'} address`;
        }
        break;
      case 4:
      case 5:
        if (!portOk(f, open)) return `v1 ${i === 4 ? 'source' : 'destination'} port must be 0..65535 without leading zeros`;
        break;
      default:
        return 'v1 header has fields after the destination port';
    }
  }
  if (!partial && protocol !== 'UNKNOWN' && fields.length !== 6) return 'v1 header is missing fields';
  return undefined;
}

const canonicalHost = (host: string, family: 'tcp4' | 'tcp6'): string =>
  family === 'tcp4' ? host : formatIpv6(parseIpv6(host) as number[]);

function decodeV1(line: string): ProxyHeader {
  const problem = checkV1(line, false);
  if (problem !== undefined) fail(problem);
  const fields = line.split(' ');
  if (fields[1] === 'UNKNOWN') return { version: 1, command: 'PROXY', family: 'unknown' };
  const family = fields[1] === 'TCP4' ? 'tcp4' : 'tcp6';
  return {
    version: 1,
    command: 'PROXY',
    family,
    source: { host: canonicalHost(fields[2] as string, family), port: Number(fields[4]) },
    destination: { host: canonicalHost(fields[3] as string, family), port: Number(fields[5]) },
  };
}

// ---------------------------------------------------------------------------------------------
// v2 binary block.

let crcTable: Uint32Array | undefined;

/** CRC32c (Castagnoli, reflected 0x82F63B78) as RFC 4960 App. B computes it. */
function crc32c(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of data) crc = (crcTable[(crc ^ b) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const u16 = (b: Uint8Array, at: number): number => (((b[at] as number) << 8) | (b[at + 1] as number)) >>> 0;
const u32 = (b: Uint8Array, at: number): number =>
  (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;

/** Splits `block` into TLVs that must fill it exactly. */
function splitTlvs(block: Uint8Array, where: string): ProxyTlv[] {
  const out: ProxyTlv[] = [];
  let at = 0;
  while (at < block.length) {
    if (block.length - at < 3) fail(`${where}: truncated TLV header`);
    const len = u16(block, at + 1);
    if (at + 3 + len > block.length) fail(`${where}: TLV 0x${(block[at] as number).toString(16)} runs past the header`);
    out.push({ type: block[at] as number, value: block.subarray(at + 3, at + 3 + len) });
    at += 3 + len;
  }
  return out;
}

/** Per-type rules of §2.2.3 (CRC32C), §2.2.5 (UNIQUE_ID) and §2.2.6 (SSL). `header` is the whole v2 block. */
function checkTlvs(tlvs: readonly ProxyTlv[], header: Uint8Array, tlvStart: number): void {
  if (tlvs.filter((t) => t.type === PP2_TYPE.CRC32C).length > 1) fail('v2 header has two CRC32C TLVs');
  let offset = tlvStart;
  for (const { type, value } of tlvs) {
    if (type === PP2_TYPE.CRC32C) {
      if (value.length !== 4) fail('v2 CRC32C TLV must be 4 bytes');
      const zeroed = header.slice();
      zeroed.fill(0, offset + 3, offset + 7);
      if (crc32c(zeroed) !== u32(value, 0)) fail('v2 CRC32C checksum does not match');
    } else if (type === PP2_TYPE.UNIQUE_ID && value.length > UNIQUE_ID_MAX) {
      fail(`v2 UNIQUE_ID TLV longer than ${UNIQUE_ID_MAX} bytes`);
    } else if (type === PP2_TYPE.SSL) {
      if (value.length < 5) fail('v2 SSL TLV shorter than its 5-byte client/verify fields');
      splitTlvs(value.subarray(5), 'v2 SSL sub-TLVs');
    }
    offset += 3 + value.length;
  }
}

/** Decodes a complete v2 block whose fixed fields were already checked while it arrived. */
function decodeV2(header: Uint8Array): ProxyHeader {
  const command = ((header[12] as number) & 0x0f) === 1 ? 'PROXY' : 'LOCAL';
  const fam = V2_FAMILIES.get(header[13] as number) as V2Family;
  const body = header.subarray(V2_FIXED);
  // A LOCAL block whose length is shorter than its family's addresses is skipped whole (§2.2: the
  // receiver must honour the length and ignore the family).
  const addrLen = body.length >= fam.addrLen ? fam.addrLen : body.length;
  const tlvs = splitTlvs(body.subarray(addrLen), 'v2 TLVs');
  checkTlvs(tlvs, header, V2_FIXED + addrLen);
  if (command === 'LOCAL') return { version: 2, command, family: 'unknown', tlvs };
  const out: ProxyHeader = { version: 2, command, family: fam.family, tlvs };
  if (fam.family === 'tcp4') {
    const host = (at: number): string => Array.from(body.subarray(at, at + 4)).join('.');
    out.source = { host: host(0), port: u16(body, 8) };
    out.destination = { host: host(4), port: u16(body, 10) };
  } else if (fam.family === 'tcp6') {
    const host = (at: number): string => formatIpv6(Array.from({ length: 8 }, (_, i) => u16(body, at + 2 * i)));
    out.source = { host: host(0), port: u16(body, 32) };
    out.destination = { host: host(16), port: u16(body, 34) };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The decoder.

const enum Stage {
  Start,
  V1,
  V2,
  Done,
  Failed,
}

/**
 * Incremental PROXY header decoder for the first bytes of an accepted connection.
 *
 * `push` returns `{ header, rest }` once a whole header has arrived (`rest` is a view of the bytes
 * after it in that chunk: the start of the FTP stream), or `undefined` while more is needed. It
 * throws {@link ProxyHeaderError} as soon as the bytes cannot become a valid header of an accepted
 * version, or when the limit is reached without a complete header; after that every call throws
 * the same error. Calling `push` after a header was returned is a programming error (plain `Error`).
 *
 * It has no clock: an FTP client speaks only after the server's greeting, so a connection that
 * sends nothing never completes here. The caller must time out (the spec suggests a few seconds,
 * at least 3 to cover a TCP retransmit).
 *
 * @see proxy-protocol.txt §2 ("The receiver MUST NOT start processing the connection before it
 *   receives a complete and valid PROXY protocol header")
 */
export class ProxyHeaderDecoder {
  readonly #accept: 'v1' | 'v2' | 'any';
  readonly #limit: number;
  #buf = new Uint8Array(128);
  #len = 0;
  #stage = Stage.Start;
  #v2Total = 0;
  #error: ProxyHeaderError | undefined;

  constructor(opts: ProxyHeaderDecoderOptions = {}) {
    const accept = opts.accept ?? 'any';
    if (accept !== 'v1' && accept !== 'v2' && accept !== 'any') throw new RangeError(`accept must be 'v1', 'v2' or 'any', got ${String(accept)}`);
    const limit = opts.maxHeaderBytes ?? 4096;
    if (!Number.isSafeInteger(limit) || limit < V2_FIXED || limit > V2_MAX) {
      throw new RangeError(`maxHeaderBytes must be an integer in ${V2_FIXED}..${V2_MAX}, got ${limit}`);
    }
    this.#accept = accept;
    this.#limit = limit;
  }

  /** Bytes of an unfinished header held so far. */
  get pendingBytes(): number {
    return this.#stage === Stage.Done ? 0 : this.#len;
  }

  /** Feeds the next chunk from the socket. */
  push(chunk: Uint8Array): { header: ProxyHeader; rest: Uint8Array } | undefined {
    if (this.#error) throw this.#error;
    if (this.#stage === Stage.Done) throw new Error('ProxyHeaderDecoder already returned its header; later bytes are the FTP stream');
    try {
      for (let i = 0; i < chunk.length; i++) {
        const header = this.#byte(chunk[i] as number);
        if (header) {
          this.#stage = Stage.Done;
          return { header, rest: chunk.subarray(i + 1) };
        }
      }
      return undefined;
    } catch (err) {
      if (err instanceof ProxyHeaderError) {
        this.#stage = Stage.Failed;
        this.#error = err;
      }
      throw err;
    }
  }

  #byte(b: number): ProxyHeader | undefined {
    if (this.#len === this.#buf.length) {
      const bigger = new Uint8Array(Math.min(this.#buf.length * 2, this.#limit));
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    this.#buf[this.#len++] = b;
    const n = this.#len;
    if (this.#stage === Stage.Start) {
      if (b === P && this.#accept !== 'v2') this.#stage = Stage.V1;
      else if (b === CR && this.#accept !== 'v1') this.#stage = Stage.V2;
      else fail(`not a PROXY ${this.#accept === 'any' ? 'v1 or v2' : this.#accept} header (first byte 0x${b.toString(16).padStart(2, '0')})`);
    }
    return this.#stage === Stage.V1 ? this.#v1Byte(b, n) : this.#v2Byte(b, n);
  }

  #v1Byte(b: number, n: number): ProxyHeader | undefined {
    const limit = Math.min(V1_MAX, this.#limit);
    const text = (end: number): string => String.fromCharCode(...this.#buf.subarray(0, end));
    if (b === LF) {
      if (n < 2 || this.#buf[n - 2] !== CR) fail('v1 line must end with CRLF, not a bare LF');
      return decodeV1(text(n - 2));
    }
    if (n >= limit || (b !== CR && n >= limit - 1)) fail(`v1 header has no CRLF within ${limit} bytes`);
    if (n >= 2 && this.#buf[n - 2] === CR) fail('v1 line has a CR not followed by LF');
    const problem = b === CR ? checkV1(text(n - 1), false) : checkV1(text(n), true);
    if (problem !== undefined) fail(problem);
    return undefined;
  }

  #v2Byte(b: number, n: number): ProxyHeader | undefined {
    if (n <= V2_SIGNATURE.length) {
      if (b !== V2_SIGNATURE[n - 1]) fail(`not a PROXY v2 signature (byte ${n - 1} is 0x${b.toString(16).padStart(2, '0')})`);
    } else if (n === 13) {
      if (b >> 4 !== 2) fail(`PROXY v2 header with version ${b >> 4}`);
      if ((b & 0x0f) > 1) fail(`PROXY v2 header with unknown command ${b & 0x0f}`);
    } else if (n === 14) {
      if (!V2_FAMILIES.has(b)) fail(`PROXY v2 header with unknown family/protocol 0x${b.toString(16).padStart(2, '0')}`);
    } else if (n === V2_FIXED) {
      const len = u16(this.#buf, 14);
      this.#v2Total = V2_FIXED + len;
      if (this.#v2Total > this.#limit) fail(`PROXY v2 header of ${this.#v2Total} bytes exceeds the ${this.#limit}-byte limit`);
      const fam = V2_FAMILIES.get(this.#buf[13] as number) as V2Family;
      const isProxy = ((this.#buf[12] as number) & 0x0f) === 1;
      if (isProxy && len < fam.addrLen) fail(`PROXY v2 length ${len} is shorter than the ${fam.addrLen}-byte address block`);
    }
    if (n >= V2_FIXED && n === this.#v2Total) return decodeV2(this.#buf.subarray(0, n));
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing headers (for tests and for clients that sit behind nothing but want to send one).

function checkAddresses(h: ProxyHeader, isHost: (host: string) => boolean): [ProxyAddress, ProxyAddress] {
  const { source, destination } = h;
  if (!source || !destination) throw new RangeError(`a ${h.family} PROXY header needs source and destination`);
  for (const a of [source, destination]) {
    if (!isHost(a.host)) throw new RangeError(`${JSON.stringify(a.host)} is not a valid ${h.family} host`);
    if (!Number.isInteger(a.port) || a.port < 0 || a.port > 0xffff) throw new RangeError(`port ${a.port} is not in 0..65535`);
  }
  return [source, destination];
}

/**
 * The v1 text line for `h` (`PROXY TCP4 1.2.3.4 5.6.7.8 1025 21\r\n`; IPv6 in RFC 5952 form;
 * family `unknown` gives `PROXY UNKNOWN\r\n`). Throws RangeError for what v1 cannot say: the LOCAL
 * command, family `unix`, bad hosts or ports. `h.version` is ignored.
 *
 * @see proxy-protocol.txt §2.1
 */
export function formatProxyHeaderV1(h: ProxyHeader): string {
  if (h.command !== 'PROXY') throw new RangeError('PROXY v1 has no LOCAL command (use family "unknown")');
  if (h.family === 'unknown') return 'PROXY UNKNOWN\r\n';
  if (h.family === 'unix') throw new RangeError('PROXY v1 cannot carry AF_UNIX addresses');
  const family = h.family;
  const [s, d] = checkAddresses(h, (host) => (family === 'tcp4' ? ipv4Ok(host, false) : ipv6Ok(host, false)));
  const host = (a: ProxyAddress): string => canonicalHost(a.host, family);
  return `PROXY ${family === 'tcp4' ? 'TCP4' : 'TCP6'} ${host(s)} ${host(d)} ${s.port} ${d.port}\r\n`;
}

/**
 * The v2 binary block for `h`: LOCAL as `0x20 0x00` with no addresses; PROXY `tcp4`/`tcp6` as
 * TCP over IPv4/IPv6; `unix` as UNIX stream with 216 zero address bytes; `unknown` as UNSPEC; then
 * `h.tlvs` in order. A CRC32C TLV (4 bytes) in `h.tlvs` gets the checksum of the result written
 * into it. Throws RangeError for bad hosts, ports, TLVs or a block over 65535 bytes.
 * `h.version` is ignored.
 *
 * @see proxy-protocol.txt §2.2, §2.2.3
 */
export function encodeProxyHeaderV2(h: ProxyHeader): Uint8Array {
  let famByte = 0x00;
  let addr = new Uint8Array(0);
  if (h.command === 'PROXY' && h.family === 'tcp4') {
    famByte = 0x11;
    const [s, d] = checkAddresses(h, (host) => ipv4Ok(host, false));
    addr = new Uint8Array(12);
    addr.set(s.host.split('.').map(Number), 0);
    addr.set(d.host.split('.').map(Number), 4);
    writeU16(addr, 8, s.port);
    writeU16(addr, 10, d.port);
  } else if (h.command === 'PROXY' && h.family === 'tcp6') {
    famByte = 0x21;
    const [s, d] = checkAddresses(h, (host) => ipv6Ok(host, false));
    addr = new Uint8Array(36);
    (parseIpv6(s.host) as number[]).forEach((g, i) => writeU16(addr, 2 * i, g));
    (parseIpv6(d.host) as number[]).forEach((g, i) => writeU16(addr, 16 + 2 * i, g));
    writeU16(addr, 32, s.port);
    writeU16(addr, 34, d.port);
  } else if (h.command === 'PROXY' && h.family === 'unix') {
    famByte = 0x31;
    addr = new Uint8Array(216);
  } else if (h.command !== 'PROXY' && h.command !== 'LOCAL') {
    throw new RangeError(`unknown command ${String(h.command)}`);
  }
  const tlvs = h.tlvs ?? [];
  let len = addr.length;
  for (const t of tlvs) {
    if (!Number.isInteger(t.type) || t.type < 0 || t.type > 0xff) throw new RangeError(`TLV type ${t.type} is not a byte`);
    if (t.value.length > 0xffff) throw new RangeError('TLV value longer than 65535 bytes');
    if (t.type === PP2_TYPE.CRC32C && t.value.length !== 4) throw new RangeError('a CRC32C TLV holds 4 bytes');
    len += 3 + t.value.length;
  }
  if (len > 0xffff) throw new RangeError(`PROXY v2 block of ${len} bytes exceeds 65535`);
  const out = new Uint8Array(V2_FIXED + len);
  out.set(V2_SIGNATURE, 0);
  out[12] = h.command === 'PROXY' ? 0x21 : 0x20;
  out[13] = famByte;
  writeU16(out, 14, len);
  out.set(addr, V2_FIXED);
  let at = V2_FIXED + addr.length;
  const crcAt: number[] = [];
  for (const t of tlvs) {
    out[at] = t.type;
    writeU16(out, at + 1, t.value.length);
    out.set(t.value, at + 3);
    if (t.type === PP2_TYPE.CRC32C) {
      out.fill(0, at + 3, at + 7);
      crcAt.push(at + 3);
    }
    at += 3 + t.value.length;
  }
  if (crcAt.length > 1) throw new RangeError('at most one CRC32C TLV');
  const at0 = crcAt[0];
  if (at0 !== undefined) {
    const crc = crc32c(out);
    out.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], at0);
  }
  return out;
}

function writeU16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v & 0xff;
}
