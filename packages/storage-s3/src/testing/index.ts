export { startS3rver, type S3rverProcess, type StartS3rverOptions } from '../test-support/s3rver-process.js';
export { awsCli, hasAwsCli } from '../test-support/aws-cli.js';
