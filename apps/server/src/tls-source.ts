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

function readPair(cert: string, key: string, flag: string): SecureContextOptions {
  let pair: SecureContextOptions;
  try {
    pair = { cert: readFileSync(cert), key: readFileSync(key) };
  } catch (err) {
    throw new ConfigError(flag, `cannot read ${(err as NodeJS.ErrnoException).path ?? 'file'} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new ConfigError(flag, `not a usable certificate and key: ${(err as Error).message}`);
  }
  return pair;
}

/** A self-signed certificate for 127.0.0.1/localhost in `dir`, made once and then reused. */
async function selfSigned(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'self-signed-cert.pem');
  const key = join(dir, 'self-signed-key.pem');
  if (!existsSync(cert) || !existsSync(key)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
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
    config.source.kind === 'files' ? { cert: config.source.cert, key: config.source.key } : await selfSigned(config.source.dir);
  const flag = config.source.kind === 'files' ? '--tls-cert' : '--tls';
  let pair = readPair(files.cert, files.key, flag);
  return {
    current: () => pair,
    reload: () => {
      pair = readPair(files.cert, files.key, flag);
    },
    description:
      config.source.kind === 'files'
        ? `TLS certificate ${files.cert}`
        : `TLS with a SELF-SIGNED certificate for 127.0.0.1/localhost, for testing only: clients trust it as their CA (curl --cacert ${files.cert}, FtpClient { ca }) or skip verification`,
  };
}
