import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { ConfigError } from './config-error.js';
import type { TlsConfig } from './server-config.js';

/** Certificate and key as the server reads them for each new connection; `reload` swaps them. */
export interface TlsSource {
  current(): SecureContextOptions;
  /** Re-read the files (SIGHUP). Running sessions keep their context; new ones get the new one. */
  reload(): void;
  /** For the banner. */
  description: string;
}

function readPem(path: string, from: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(from, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** `certFrom`/`keyFrom`: the flag, variable or config key that named each file. */
function readPair(cert: string, key: string, certFrom: string, keyFrom: string): SecureContextOptions {
  const pair: SecureContextOptions = { cert: readPem(cert, certFrom), key: readPem(key, keyFrom) };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new ConfigError(certFrom, `not a usable certificate and key: ${(err as Error).message}`);
  }
  return pair;
}

/** A self-signed certificate for 127.0.0.1/localhost in `dir`, made once and then reused. */
async function selfSigned(dir: string, dirFrom: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'self-signed-cert.pem');
  const key = join(dir, 'self-signed-key.pem');
  if (!existsSync(cert) || !existsSync(key)) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(dirFrom, code === 'EEXIST' || code === 'ENOTDIR' ? `${dir} is not a directory` : `cannot create ${dir} (${code})`);
    }
    // Loaded only here: node-forge costs ~10 MB of memory in every process that imports it.
    const { generate } = await import('selfsigned');
    const pems = await generate([{ name: 'commonName', value: 'ftpkit-server self-signed' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 825 * 24 * 3600 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
      ],
    });
    writeFileSync(key, pems.private, { mode: 0o600 });
    writeFileSync(cert, pems.cert);
  }
  return { cert, key };
}

/** Build the TLS source for `config` (generating the self-signed pair when asked). */
export async function createTlsSource(config: TlsConfig): Promise<TlsSource> {
  const files =
    config.source.kind === 'files' ? { cert: config.source.cert, key: config.source.key } : await selfSigned(config.source.dir, config.source.dirFrom);
  const [certFrom, keyFrom] = config.source.kind === 'files' ? [config.source.certFrom, config.source.keyFrom] : ['--tls', '--tls'];
  let pair = readPair(files.cert, files.key, certFrom, keyFrom);
  return {
    current: () => pair,
    reload: () => {
      pair = readPair(files.cert, files.key, certFrom, keyFrom);
    },
    description:
      config.source.kind === 'files'
        ? `TLS certificate ${files.cert}`
        : `TLS with a SELF-SIGNED certificate for 127.0.0.1/localhost, for testing only: clients trust it as their CA (curl --cacert ${files.cert}, FtpClient { ca }) or skip verification`,
  };
}
