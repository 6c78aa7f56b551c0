import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { ProxyHeaderDecoder, ProxyHeaderError, type ProxyHeader } from '@ftpkit/codec';
import type { IPv4, IPv6 } from 'ipaddr.js';

// ipaddr.js is CommonJS with `export =`; under NodeNext without esModuleInterop it is loaded with require.
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof import('ipaddr.js');

/**
 * PROXY protocol on the control listener (HAProxy's v1 line or v2 block in front of the FTP
 * stream), for servers behind a TCP load balancer.
 *
 * @see HAProxy doc/proxy-protocol.txt §2 (the header comes first, the receiver must not start the
 *   protocol before it has a complete valid header, and must accept it only from trusted peers)
 */
export interface ProxyProtocolOptions {
  /** Which header the listener requires. `'off'` (the default) takes none. */
  mode: 'off' | 'v1' | 'v2' | 'any';
  /**
   * Balancer addresses allowed to send a header, as CIDRs (`10.0.0.0/8`, `fd00::/8`) or single
   * addresses. A connection from anywhere else is closed without a reply. Required when `mode`
   * is not `'off'`: trusting everyone would let any client pick its own address.
   */
  trusted: readonly string[];
  /** Time to receive the complete header before the connection is closed. Default 5000 ms. */
  headerTimeoutMs?: number;
}

/** Why a connection was refused before its header was accepted. */
export type ProxyRefusal = 'proxy-untrusted' | 'proxy-header';

/** A compiled list of CIDRs: `matches(address)` for IPv4, IPv6 and IPv4-mapped IPv6 text. */
export interface CidrList {
  matches(address: string): boolean;
}

type Range = [IPv4 | IPv6, number];

/** Parse CIDRs (or bare addresses, taken as /32 or /128). Throws RangeError naming the bad entry. */
export function parseCidrList(entries: readonly string[]): CidrList {
  const ranges: Range[] = entries.map((raw) => {
    const text = raw.trim();
    try {
      if (text.includes('/')) {
        const [addr, bits] = ipaddr.parseCIDR(text);
        return [unmap(addr), addr.kind() === 'ipv6' && unmap(addr).kind() === 'ipv4' ? bits - 96 : bits];
      }
      const addr = unmap(ipaddr.parse(text));
      return [addr, addr.kind() === 'ipv4' ? 32 : 128];
    } catch {
      throw new RangeError(`${JSON.stringify(raw)} is not an IP address or CIDR`);
    }
  });
  return {
    matches(address) {
      let addr: IPv4 | IPv6;
      try {
        addr = unmap(ipaddr.parse(address.replace(/%.*$/, '')));
      } catch {
        return false;
      }
      return ranges.some(([net, bits]) => {
        if (addr.kind() === 'ipv4' && net.kind() === 'ipv4') return (addr as IPv4).match(net as IPv4, bits);
        if (addr.kind() === 'ipv6' && net.kind() === 'ipv6') return (addr as IPv6).match(net as IPv6, bits);
        return false;
      });
    },
  };
}

/** `::ffff:a.b.c.d` compares as the IPv4 address it carries, as sockets report either form. */
function unmap(addr: IPv4 | IPv6): IPv4 | IPv6 {
  return addr.kind() === 'ipv6' && (addr as IPv6).isIPv4MappedAddress() ? (addr as IPv6).toIPv4Address() : addr;
}

/** The peer a header names (or the socket's own peer for LOCAL / UNKNOWN headers). */
export interface ProxiedPeer {
  address: string;
  port: number;
  header: ProxyHeader;
}

/**
 * Read the PROXY header from a paused socket, pulling only what is buffered so the FTP bytes
 * that follow stay in the socket (what came in the same chunk is put back with `unshift`).
 * Rejects with ProxyHeaderError for a bad header, a timeout or an early close.
 */
export function readProxyHeader(socket: Socket, accept: 'v1' | 'v2' | 'any', timeoutMs: number): Promise<ProxiedPeer> {
  const decoder = new ProxyHeaderDecoder({ accept });
  return new Promise((resolve, reject) => {
    const finish = (err: Error | undefined, peer?: ProxiedPeer): void => {
      clearTimeout(timer);
      socket.off('readable', pull);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      if (err !== undefined) reject(err);
      else resolve(peer as ProxiedPeer);
    };
    const timer = setTimeout(
      () => finish(new ProxyHeaderError(`no complete PROXY header within ${timeoutMs} ms (${decoder.pendingBytes} bytes received)`)),
      timeoutMs,
    );
    const onEnd = (): void => finish(new ProxyHeaderError('connection closed before a complete PROXY header'));
    const onError = (err: Error): void => finish(err);
    const pull = (): void => {
      for (;;) {
        const chunk = socket.read() as Buffer | null;
        if (chunk === null) return;
        let done: ReturnType<ProxyHeaderDecoder['push']>;
        try {
          done = decoder.push(chunk);
        } catch (err) {
          finish(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (done !== undefined) {
          if (done.rest.length > 0) socket.unshift(Buffer.from(done.rest));
          const { header } = done;
          const source = header.command === 'PROXY' ? header.source : undefined;
          finish(undefined, {
            address: source?.host ?? socket.remoteAddress ?? '',
            port: source?.port ?? socket.remotePort ?? 0,
            header,
          });
          return;
        }
      }
    };
    socket.on('readable', pull);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
    pull();
  });
}
