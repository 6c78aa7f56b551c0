import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { Logger } from '@ftpkit/server';
import type { SessionUser } from '@ftpkit/session';
import type { StorageAdapter } from '@ftpkit/storage';
import type { S3Location } from '@ftpkit/storage-s3';
import { ConfigError } from './config-error.js';
import { isS3Url, type S3Config, type ServerConfig, type UserEntry } from './server-config.js';

/** `--storage s3` ready to serve: one S3 client shared by an adapter per bucket and prefix. */
export interface S3StorageOption {
  storage: (user: SessionUser & { root?: string }) => StorageAdapter;
  /** `s3://bucket/prefix/` of the default location, for the banner. */
  description: string;
  /** The bucket and key of a user's FTP path (for hooks). */
  locate: (user: SessionUser & { root?: string }, path: string) => { s3Bucket: string; s3Key: string };
  /** Destroys the shared client (its sockets); the adapters never do. */
  dispose: () => void;
}

/** How long the start-up check of the bucket may take, retries included. */
const PROBE_TIMEOUT_MS = 20_000;

function clientConfig(s3: S3Config): S3ClientConfig {
  const config: S3ClientConfig = {};
  if (s3.endpoint !== undefined) config.endpoint = s3.endpoint;
  if (s3.region !== undefined) config.region = s3.region;
  if (s3.forcePathStyle) config.forcePathStyle = true;
  if (s3.checksum !== undefined) {
    // Both directions: a server that mishandles aws-chunked request bodies rarely sends checksums back.
    const when = s3.checksum === 'when-required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
    config.requestChecksumCalculation = when;
    config.responseChecksumValidation = when;
  }
  // Credentials are deliberately left out: the SDK's default chain reads AWS_* variables,
  // ~/.aws/config and ~/.aws/credentials (AWS_PROFILE), SSO, and container or instance roles.
  return config;
}

function errorName(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'name' in err && typeof err.name === 'string') return err.name;
  return 'Error';
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/** Turns a failed start-up check into a one-line ConfigError naming the setting most likely at fault. */
function probeError(err: unknown, s3: S3Config, where: string, sources: ServerConfig['sources']): ConfigError {
  // Named as the operator set them: `config key "s3Bucket"` for a value from the config file.
  const from = (key: 's3Bucket' | 's3Region' | 's3Endpoint' | 'storage', flag: string): string => sources[key] ?? flag;
  const name = errorName(err);
  const message = firstLine(err);
  const code = (err as NodeJS.ErrnoException).code;
  if (/region is missing/i.test(message)) return new ConfigError(from('s3Region', '--s3-region'), 'no region: give --s3-region or set AWS_REGION');
  if (name === 'CredentialsProviderError' || /credentials/i.test(message)) {
    return new ConfigError(from('storage', '--storage'), `s3: no AWS credentials found (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/credentials): ${message}`);
  }
  if (name === 'NoSuchBucket') return new ConfigError(from('s3Bucket', '--s3-bucket'), `bucket "${s3.bucket}" does not exist${where}`);
  if (name === 'AccessDenied' || name === 'Forbidden' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    return new ConfigError(from('s3Bucket', '--s3-bucket'), `cannot list ${s3.bucket}${where}: ${name}`);
  }
  if (name === 'TimeoutError' || name === 'AbortError' || (code !== undefined && /^E[A-Z]+$/.test(code))) {
    return new ConfigError(s3.endpoint === undefined ? from('s3Region', '--s3-region') : from('s3Endpoint', '--s3-endpoint'), `cannot reach S3${where}: ${code ?? name}`);
  }
  return new ConfigError(from('s3Bucket', '--s3-bucket'), `cannot list ${s3.bucket}${where}: ${name}: ${message}`);
}

/**
 * Builds the storage for `--storage s3` and checks, before the server listens, that the bucket can
 * be listed with the credentials the SDK found (so a typo ends the program with exit status 2
 * instead of failing every login). The AWS SDK is imported here, on demand, so the other storages
 * start without loading it.
 *
 * Users file roots: `s3://bucket/prefix/` serves that location; any other root is a path below
 * `--s3-prefix` in `--s3-bucket` (as it is below the volume for `--storage memory`).
 */
export async function createS3StorageOption(
  s3: S3Config,
  users: readonly UserEntry[],
  logger: Logger,
  sources: ServerConfig['sources'] = {},
): Promise<S3StorageOption> {
  // The SDK warns on Node 20 about versions published after early 2027; this program pins its SDK
  // version, so the note is not actionable here and would break the one-line error contract.
  // Setting the variable to anything but 'true' shows it again.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [{ S3Client, ListObjectsV2Command }, { s3Storage, parseS3Url }] = await Promise.all([import('@aws-sdk/client-s3'), import('@ftpkit/storage-s3')]);

  const userLocations = new Map<string, S3Location>();
  for (const u of users) {
    if (u.root === undefined || !isS3Url(u.root)) continue;
    try {
      userLocations.set(u.root, parseS3Url(u.root));
    } catch (err) {
      // loadUsersFile checked the shape already; this is the adapter's own, stricter reading.
      throw new ConfigError(sources.users ?? '--users', `user "${u.name}": ${firstLine(err)}`);
    }
  }

  const client = new S3Client(clientConfig(s3));
  const where = s3.endpoint === undefined ? '' : ` at ${s3.endpoint}`;
  try {
    await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: s3.prefix, MaxKeys: 1 }), {
      abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (err) {
    client.destroy();
    throw probeError(err, s3, where, sources);
  }

  const s3Logger = logger.child({ storage: 's3' });
  const adapterLogger = {
    debug: (message: string, details?: Record<string, unknown>) => s3Logger.debug(details ?? {}, message),
    warn: (message: string, details?: Record<string, unknown>) => s3Logger.warn(details ?? {}, message),
  };
  const adapters = new Map<string, StorageAdapter>();
  const adapterFor = (location: S3Location): StorageAdapter => {
    const key = `${location.bucket}\n${location.prefix}`;
    let adapter = adapters.get(key);
    if (adapter === undefined) {
      // One adapter per location, all on the one client: adapters hold no per-session state.
      adapter = s3Storage({ bucket: location.bucket, prefix: location.prefix, client, logger: adapterLogger, staleUploadMs: s3.staleUploadMs });
      adapters.set(key, adapter);
    }
    return adapter;
  };
  const locationOf = (root: string | undefined): S3Location => {
    if (root === undefined) return { bucket: s3.bucket, prefix: s3.prefix };
    const parsed = userLocations.get(root);
    if (parsed !== undefined) return parsed;
    // An s3:// root from --auth-url is met at login, not at start.
    if (isS3Url(root)) {
      const location = parseS3Url(root);
      userLocations.set(root, location);
      return location;
    }
    const rel = root.split('/').filter((segment) => segment !== '' && segment !== '.').join('/');
    return { bucket: s3.bucket, prefix: rel === '' ? s3.prefix : `${s3.prefix}${rel}/` };
  };

  return {
    storage: (user) => adapterFor(locationOf(user.root)),
    locate: (user, path) => {
      const { bucket, prefix } = locationOf(user.root);
      return { s3Bucket: bucket, s3Key: `${prefix}${path.replace(/^\/+/, '')}` };
    },
    description: `s3://${s3.bucket}/${s3.prefix}`,
    dispose: () => client.destroy(),
  };
}
