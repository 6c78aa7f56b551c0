import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** True when the `aws` CLI can be run. */
export async function hasAwsCli(): Promise<boolean> {
  try {
    await run('aws', ['--version'], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the `aws` CLI against `endpoint` with private config and credentials files, so nothing in
 * the user's ~/.aws is read or written. Returns stdout.
 */
export async function awsCli(endpoint: string, args: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ftpkit-awscli-'));
  try {
    const config = join(dir, 'config');
    const credentials = join(dir, 'credentials');
    writeFileSync(config, '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
    writeFileSync(credentials, '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n');
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (!name.startsWith('AWS_')) env[name] = value;
    }
    env.AWS_CONFIG_FILE = config;
    env.AWS_SHARED_CREDENTIALS_FILE = credentials;
    const { stdout } = await run('aws', ['--endpoint-url', endpoint, ...args], {
      env,
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
