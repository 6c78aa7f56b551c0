import type { Logger } from '@ftpkit/server';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from './config-error.js';
import { createLogger } from './logger.js';
import { hashPassword } from './password-hash.js';
import { readPasswordInput } from './password-input.js';
import { programVersion, versionLine } from './program-version.js';
import { createRootFor, dropPrivileges, lookupAccount } from './privileges.js';
import { runServer } from './run-server.js';
import { isS3Url, resolveConfig, type FlagValues } from './server-config.js';
import { SETTINGS } from './settings.js';
import { createSighupReload } from './sighup-reload.js';

/** Exit status for bad usage or configuration. */
export const EXIT_CONFIG = 2;

export { programVersion } from './program-version.js';

/** Where the program writes; injectable so tests can capture it. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * Called once the server runs: `stop` closes gracefully, `reload` re-reads the TLS certificate and
   * the users files (SIGHUP; never throws, logs what it reloaded), `logger` is the program's log
   * (signal messages go there, so a JSON log stays all JSON).
   */
  onRunning?: (control: { stop: () => Promise<void>; reload: () => void; logger: Logger }) => void;
}

/** The process's own I/O. */
export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    // A terminal is asked without echo (hash-password); a pipe is read whole.
    readStdin: readPasswordInput,
    env: process.env,
    cwd: process.cwd(),
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Run `ftpkit-server` with `argv` (without node and script). Resolves with an exit status when
 * the program should end (help, version, hash-password, an error), or `undefined` once the
 * server is running (it then ends through `onRunning`'s stop function or a signal).
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number | undefined> {
  let result: number | undefined;
  const program = new Command('ftpkit-server')
    .description('An FTP server: serves a directory (or memory) over FTP.')
    // The commit costs a git call: only when the version is asked for.
    .version(argv.includes('--version') ? versionLine() : programVersion(), '--version', 'print the version (and the commit, run from a clone)')
    .helpOption('--help', 'show this help')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined })
    .showHelpAfterError(false);
  for (const s of SETTINGS) {
    // A switch also takes `=false` and has a --no- form, so a flag can turn off what the file or environment turned on.
    const isSwitch = !s.flag.includes(' ');
    const option = new Option(isSwitch ? `${s.flag} [bool]` : s.flag, `${s.description} (default: ${s.defaultText}; env ${s.env})`);
    if (s.key === 'user' || s.key === 'hook') option.argParser(collect);
    program.addOption(option);
    if (isSwitch) program.addOption(new Option(`--no-${s.flag.slice(2)}`, `same as ${s.flag}=false`));
  }
  program.addOption(new Option('--config <file>', 'JSON or YAML file with any of these settings (env FTPKIT_CONFIG)'));
  program.addHelpText('after', '\nPrecedence: flags, then FTPKIT_* variables, then the config file, then defaults.');

  program
    .command('hash-password')
    .description('read a password from stdin and print its scrypt hash for a users file')
    .action(async () => {
      const input = (await io.readStdin()).replace(/\r?\n$/, '');
      if (input === '') throw new ConfigError('hash-password', 'no password on stdin');
      io.stdout(`${await hashPassword(input)}\n`);
      result = 0;
    });

  program.action(async (opts: FlagValues) => {
    const config = resolveConfig(opts, io.env, io.cwd);
    const logger = createLogger(config.logLevel, config.logFormat);
    // Looked up before anything is bound, dropped after every port is: a missing user fails fast.
    const account = config.runAs === undefined ? undefined : lookupAccount(config.runAs, config.sources.runAs ?? '--run-as');
    if (account !== undefined && config.storage === 'local') {
      const roots = [config.root, config.anonymousRoot, ...config.users.map((u) => u.root)];
      for (const dir of roots) if (dir !== undefined && !isS3Url(dir)) createRootFor(account, dir);
    }
    const running = await runServer(config, logger);
    if (account !== undefined) {
      try {
        dropPrivileges(account, config.sources.runAs ?? '--run-as');
      } catch (err) {
        await Promise.all([running.server.close({ graceMs: 0 }), running.metrics?.close(), running.health?.close(), running.console?.close()]);
        throw err;
      }
      running.banner.push(`running as user ${account.name} (uid ${account.uid}, gid ${account.gid})`);
    } else if (process.getuid?.() === 0) {
      logger.warn({ uid: 0 }, 'RUNNING AS ROOT: every client command runs with root privileges; start with --run-as USER to drop them after binding');
    }
    const stop = async (): Promise<void> => {
      // Health turns 503 first; the listener stays open for the drain delay so sessions the
      // balancer sends before its next check are still served, then running transfers get the grace.
      running.health?.markDraining();
      if (config.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.drainDelayMs));
      await running.server.close({ graceMs: config.graceMs });
      await running.console?.close();
      // Events of the last transfers still go out, within a bound (a target that is down cannot hold the exit).
      await running.hooks?.close(5_000);
    };
    // Signal handlers first: whoever reads the banner may send SIGTERM at once.
    const reloadUsers = (): number => {
      // The same flags, variables and config file as at start, so the users come out as they did then.
      const next = resolveConfig(opts, io.env, io.cwd);
      if (next.users.length === 0) throw new ConfigError(next.usersFiles.length > 0 ? '--users' : '--config', 'the reloaded settings name no users');
      running.replaceUsers(next.users);
      return next.users.length;
    };
    const reload = createSighupReload(logger, { tls: running.reloadTls, users: config.usersFiles.length > 0 ? reloadUsers : undefined });
    io.onRunning?.({ stop, reload, logger });
    io.stdout(`${running.banner.join('\n')}\n`);
    result = undefined;
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return result;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      io.stderr(`ftpkit-server: ${err.message.replace(/^error: /, '')}\n`);
      return EXIT_CONFIG;
    }
    if (err instanceof ConfigError) {
      io.stderr(`ftpkit-server: ${err.message}\n`);
      return EXIT_CONFIG;
    }
    io.stderr(`ftpkit-server: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
