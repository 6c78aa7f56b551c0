import { createFtpServer, type FtpServer } from '@ftpkit/server';
import { parseS3Url, s3Storage } from '@ftpkit/storage-s3';

/** One instance of a fleet: every instance serves the same bucket prefix, so any of them can take any client. */
export function createS3FtpServer(env: NodeJS.ProcessEnv = process.env): FtpServer {
  const { bucket, prefix } = parseS3Url(env.FTP_S3_URL ?? 's3://ftp-files/shared/');
  const storage = s3Storage({
    bucket,
    prefix,
    // Credentials and region come from the AWS SDK's usual chain (AWS_ACCESS_KEY_ID, AWS_REGION, roles, ...).
    clientConfig: env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT, forcePathStyle: true } : {},
  });
  const [min, max] = (env.FTP_PASV_PORTS ?? '').split('-').map(Number);
  return createFtpServer({
    storage,
    authenticate: (user, password) =>
      user === 'alice' && password === env.FTP_ALICE_PASSWORD ? { name: 'alice' } : null,
    passive: {
      ...(min && max ? { ports: [min, max] as const } : {}),
      ...(env.FTP_PUBLIC_ADDRESS ? { publicAddress: env.FTP_PUBLIC_ADDRESS } : {}),
    },
    uploadMode: 'atomic', // S3 objects appear whole or not at all; APPE still works, REST + STOR is refused (554)
  });
}
