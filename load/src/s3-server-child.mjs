// The S3 row's server in its own process, like the other rows: ftpkit-server has no S3 flags
// yet, so this runs createFtpServer + s3Storage (built packages) with the program's metrics
// endpoint, and prints the same banner lines the program prints. Argument: JSON
// { clientConfig, bucket, user, password, limits }. Ends on SIGTERM.
import { startMetricsEndpoint } from '@ftpkit/ftpkit-server';
import { createFtpServer } from '@ftpkit/server';
import { s3Storage } from '@ftpkit/storage-s3';

const config = JSON.parse(process.argv[2] ?? '{}');
const server = createFtpServer({
  storage: s3Storage({ bucket: config.bucket, clientConfig: config.clientConfig }),
  authenticate: (user, password) => (user === config.user && password === config.password ? { name: user } : null),
  limits: config.limits,
});
const metrics = await startMetricsEndpoint(server, { host: '127.0.0.1', port: 0 });
const { port } = await server.listen(0, '127.0.0.1');
process.stdout.write(`ftpkit-server listening on 127.0.0.1:${port}, serving s3://${config.bucket}\n`);
process.stdout.write(`metrics: http://127.0.0.1:${metrics.address.port}/metrics\n`);
process.on('SIGTERM', () => {
  server.close({ graceMs: 1_000 }).then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
