import { normalizePrefix } from './s3-keys.js';

/** A bucket and key prefix named by an `s3://bucket/prefix/` URL. */
export interface S3Location {
  bucket: string;
  /** Normalised: `''` or `'some/prefix/'`. */
  prefix: string;
}

/**
 * Parses `s3://bucket` or `s3://bucket/some/prefix/` (as a users file's `root:` may say) into the
 * `bucket` and `prefix` options of `s3Storage`. Percent-escapes in the prefix are decoded.
 * Throws a `TypeError` for anything else.
 */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(url.trim());
  if (!match) throw new TypeError(`not an s3:// URL: ${url}`);
  const bucket = match[1] as string;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new TypeError(`invalid bucket name in ${url}`);
  let prefix: string;
  try {
    prefix = decodeURIComponent(match[2] ?? '');
  } catch {
    throw new TypeError(`invalid percent-encoding in ${url}`);
  }
  return { bucket, prefix: normalizePrefix(prefix) };
}
