'use strict';
// Runs s3rver@3.7.1 in its own Node process for the tests (started by s3rver-process.ts with
// --openssl-legacy-provider: s3rver's continuation tokens use DES). Prints {"port":N} once
// listening and exits when stdin closes, so a crashed test run never leaves it behind.
//
// The middleware below works around s3rver defects listed in /work/shared/S3-TESTING.md so the
// adapter can stay AWS-correct:
// - AbortMultipartUpload answers 405: answer DELETE ?uploadId= by removing the upload's folder.
// - x-amz-copy-source is read with decodeURI: re-encode it so decodeURI yields the real key.
// - UploadPartCopy is missing: implement it (optional, so the streaming fallback is tested too).
// - ListMultipartUploads is missing: answer it from the uploads folder (optional, so the
//   adapter's "not supported" path is tested too); one page, `Initiated` = the folder's mtime.
// - ListObjectsV2 with a delimiter misses common prefixes whose keys all sit two or more levels
//   down, counts MaxKeys over objects only and builds its continuation token from the last object
//   (crashing on a page of prefixes only): answer delimited V2 listings here, from the same files.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');
const S3rver = require('s3rver');

const config = JSON.parse(process.argv[2] || '{}');
const directory = config.directory;
const uploadPartCopy = config.uploadPartCopy !== false;
const listMultipartUploads = config.listMultipartUploads !== false;

function xml(ctx, status, body) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

function s3Error(ctx, status, code, message) {
  xml(ctx, status, `<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** Splits an AWS-encoded copy source (`/bucket/k%2By`, optional `?versionId=`) into bucket and key. */
function parseCopySource(raw) {
  let source = String(raw).split('?')[0];
  if (source.startsWith('/')) source = source.slice(1);
  const slash = source.indexOf('/');
  return {
    bucket: decodeURIComponent(source.slice(0, slash)),
    key: source
      .slice(slash + 1)
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/'),
  };
}

/** Where s3rver's filesystem store keeps an object's bytes. */
function objectFile(bucket, key) {
  const parts = key.split('/');
  const last = parts.pop();
  return path.join(directory, bucket, ...parts, `${last}._S3rver_object`);
}

function uploadDir(bucket, uploadId) {
  return path.join(directory, bucket, '._S3rver_uploads', uploadId);
}

const OBJECT_SUFFIX = '._S3rver_object';

/** Every key under `prefix` in `bucket`, in S3 order (UTF-8 bytes). */
function keysUnder(bucket, prefix) {
  const bucketDir = path.join(directory, bucket);
  const start = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
  const keys = [];
  const visit = (rel) => {
    let names;
    try {
      names = fs.readdirSync(path.join(bucketDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of names) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (child !== '._S3rver_uploads') visit(child);
      } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
        const key = child.slice(0, -OBJECT_SUFFIX.length);
        if (key.startsWith(prefix)) keys.push(key);
      }
    }
  };
  visit(start);
  return keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function escapeXml(text) {
  return String(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

async function listV2WithDelimiter(ctx, bucket) {
  if (!fs.existsSync(path.join(directory, bucket))) {
    s3Error(ctx, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    return;
  }
  const prefix = ctx.query.prefix || '';
  const delimiter = ctx.query.delimiter;
  const maxKeys = Math.min(1000, ctx.query['max-keys'] ? Number(ctx.query['max-keys']) : 1000);
  const token = ctx.query['continuation-token'];
  const startAfter = token ? Buffer.from(token, 'base64url').toString('utf8') : ctx.query['start-after'] || '';
  const entries = [];
  let truncated = false;
  for (const key of keysUnder(bucket, prefix)) {
    const cut = key.indexOf(delimiter, prefix.length);
    const entry = cut === -1 ? { key } : { prefix: key.slice(0, cut + delimiter.length) };
    const name = entry.key ?? entry.prefix;
    if (Buffer.compare(Buffer.from(name), Buffer.from(startAfter)) <= 0) continue;
    const last = entries[entries.length - 1];
    if (entry.prefix !== undefined && last !== undefined && last.prefix === entry.prefix) continue;
    if (entries.length === maxKeys) {
      truncated = true;
      break;
    }
    entries.push(entry);
  }
  const parts = [];
  for (const entry of entries) {
    if (entry.key !== undefined) {
      const meta = await ctx.store.getMetadata(bucket, entry.key);
      parts.push(
        `<Contents><Key>${escapeXml(entry.key)}</Key><LastModified>${new Date(meta['last-modified']).toISOString()}</LastModified>` +
          `<ETag>${escapeXml(meta.etag)}</ETag><Size>${meta['content-length']}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
    } else {
      parts.push(`<CommonPrefixes><Prefix>${escapeXml(entry.prefix)}</Prefix></CommonPrefixes>`);
    }
  }
  const lastEntry = entries[entries.length - 1];
  const next = truncated && lastEntry ? Buffer.from(lastEntry.key ?? lastEntry.prefix).toString('base64url') : undefined;
  xml(
    ctx,
    200,
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><Delimiter>${escapeXml(delimiter)}</Delimiter>` +
      `<MaxKeys>${maxKeys}</MaxKeys><KeyCount>${entries.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>` +
      (token ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '') +
      (next ? `<NextContinuationToken>${next}</NextContinuationToken>` : '') +
      parts.join('') +
      '</ListBucketResult>',
  );
}

function listUploads(ctx, bucket) {
  const prefix = ctx.query.prefix || '';
  const root = path.join(directory, bucket, '._S3rver_uploads');
  const uploads = [];
  for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    let key;
    try {
      key = fs.readFileSync(path.join(root, id, 'key'), 'utf8');
    } catch {
      continue;
    }
    if (!key.startsWith(prefix)) continue;
    const initiated = fs.statSync(path.join(root, id)).mtime.toISOString();
    uploads.push(`<Upload><Key>${escapeXml(key)}</Key><UploadId>${escapeXml(id)}</UploadId><Initiated>${initiated}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`);
  }
  xml(
    ctx,
    200,
    '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Bucket>${escapeXml(bucket)}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><Prefix>${escapeXml(prefix)}</Prefix>` +
      `<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`,
  );
}

async function fixes(ctx, next) {
  const segments = ctx.path.split('/');
  const bucket = segments[1] ? decodeURIComponent(segments[1]) : '';
  const uploadId = typeof ctx.query.uploadId === 'string' ? ctx.query.uploadId : undefined;
  if (uploadId !== undefined && !/^[0-9a-f]{1,64}$/.test(uploadId)) {
    s3Error(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
    return;
  }

  if (
    ctx.method === 'GET' &&
    (segments.length === 2 || (segments.length === 3 && segments[2] === '')) &&
    bucket !== '' &&
    ctx.query['list-type'] === '2' &&
    typeof ctx.query.delimiter === 'string' &&
    ctx.query.delimiter !== ''
  ) {
    await listV2WithDelimiter(ctx, bucket);
    return;
  }

  if (
    ctx.method === 'GET' &&
    (segments.length === 2 || (segments.length === 3 && segments[2] === '')) &&
    bucket !== '' &&
    ctx.query.uploads !== undefined
  ) {
    if (!listMultipartUploads) {
      s3Error(ctx, 501, 'NotImplemented', 'A header you provided implies functionality that is not implemented');
      return;
    }
    listUploads(ctx, bucket);
    return;
  }

  if (ctx.method === 'DELETE' && uploadId !== undefined) {
    const dir = uploadDir(bucket, uploadId);
    if (!fs.existsSync(dir)) {
      s3Error(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
      return;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    ctx.status = 204;
    ctx.body = null;
    return;
  }

  const copySource = ctx.get('x-amz-copy-source');
  if (ctx.method === 'PUT' && copySource && uploadId !== undefined) {
    if (!uploadPartCopy) {
      s3Error(ctx, 501, 'NotImplemented', 'A header you provided implies functionality that is not implemented');
      return;
    }
    const partNumber = Number(ctx.query.partNumber);
    const dir = uploadDir(bucket, uploadId);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000 || !fs.existsSync(dir)) {
      s3Error(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
      return;
    }
    const source = parseCopySource(copySource);
    const file = objectFile(source.bucket, source.key);
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      s3Error(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
      return;
    }
    const ifMatch = ctx.get('x-amz-copy-source-if-match').replace(/"/g, '');
    if (ifMatch) {
      let md5 = '';
      try {
        md5 = fs.readFileSync(`${file}.md5`, 'utf8');
      } catch {}
      if (md5 && md5 !== ifMatch) {
        s3Error(ctx, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        return;
      }
    }
    let start = 0;
    let end = stat.size - 1;
    const range = /^bytes=(\d+)-(\d+)$/.exec(ctx.get('x-amz-copy-source-range'));
    if (range) {
      start = Number(range[1]);
      end = Number(range[2]);
      if (end >= stat.size || start > end) {
        s3Error(ctx, 416, 'InvalidRange', 'The requested range is not satisfiable');
        return;
      }
    }
    const partFile = path.join(dir, String(partNumber));
    const hash = crypto.createHash('md5');
    const input = fs.createReadStream(file, { start, end });
    input.on('data', (chunk) => hash.update(chunk));
    await pipeline(input, fs.createWriteStream(partFile));
    const md5 = hash.digest('hex');
    fs.writeFileSync(`${partFile}.md5`, md5);
    xml(
      ctx,
      200,
      `<CopyPartResult><LastModified>${new Date().toISOString()}</LastModified><ETag>"${md5}"</ETag></CopyPartResult>`,
    );
    return;
  }

  if (copySource) {
    // s3rver runs decodeURI on this header, which leaves %2B, %26, %3D ... encoded. Hand it a
    // form that decodeURI turns into the real key.
    const source = parseCopySource(copySource);
    ctx.request.header['x-amz-copy-source'] = encodeURI(`${source.bucket}/${source.key}`);
  }
  await next();
}

async function main() {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    vhostBuckets: false,
    configureBuckets: (config.buckets || []).map((name) => ({ name })),
  });
  server.middleware.unshift(fixes);
  const address = await server.run();
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}

main().catch((err) => {
  process.stderr.write(`s3rver-child: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
