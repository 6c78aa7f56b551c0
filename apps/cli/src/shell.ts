import { remoteBasename, type FtpClient } from '@ftpkit/client';
import { appendFile, readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createInterface, type Completer } from 'node:readline';
import type { CommonOptions } from './connect.js';
import { formatEntry } from './format.js';
import { createProgress } from './progress.js';
import { describeError } from './program.js';
import { EXTRA_COMMANDS, EXTRA_HELP, EXTRA_REMOTE_ARG, runShellExtra, type ShellExtraContext } from './shell-commands.js';
import { unescapeGlob } from './globs.js';
import { quoteWord, splitWords } from './shell-words.js';

const HELP = `commands:
  ls [PATH]             list a remote directory
  cd PATH               change the remote directory
  pwd                   show the remote directory
  get REMOTE [LOCAL]    download (-c to resume); get PATTERN [LOCALDIR] downloads the matches
  put LOCAL [REMOTE]    upload (-c to resume); put PATTERN [REMOTEDIR] uploads the matches
  rm [-r] PATH          remove a file (-r: a directory tree)
  mkdir [-p] PATH       make a directory
  mv FROM TO            rename
  lcd DIR               change the local directory
  lls [DIR]             list a local directory
${EXTRA_HELP}  help                  this text
  exit                  leave (also quit, bye, Ctrl-D)
`;

const COMMANDS = ['ls', 'cd', 'pwd', 'get', 'put', 'rm', 'mkdir', 'mv', 'lcd', 'lls', ...EXTRA_COMMANDS, 'help', 'exit', 'quit', 'bye'];
const REMOTE_ARG = new Set(['ls', 'cd', 'get', 'rm', 'mkdir', 'mv', ...EXTRA_REMOTE_ARG]);
const HISTORY_MAX = 500;

/**
 * The interactive prompt. Reads commands from standard input — a terminal (prompt, history, tab
 * completion of commands and remote names) or a pipe (one command per line, no prompt).
 * Returns how many commands failed.
 */
export async function runShell(client: FtpClient, o: CommonOptions): Promise<number> {
  const tty = process.stdin.isTTY === true;
  const out = (t: string): void => { process.stdout.write(t); };
  const err = (t: string): void => { process.stderr.write(t); };
  let names: { dir: string; list: string[] } | undefined;
  const remoteNames = async (): Promise<string[]> => {
    const dir = await client.pwd();
    if (names?.dir !== dir) names = { dir, list: (await client.list()).map((e) => (e.type === 'dir' ? `${e.name}/` : e.name)) };
    return names.list;
  };
  const completer: Completer = ((line: string, cb: (err: null, result: [string[], string]) => void) => {
    const words = splitWords(line);
    const endsWithSpace = /\s$/.test(line);
    if (words.length === 0 || (words.length === 1 && !endsWithSpace)) {
      const w = words[0] ?? '';
      cb(null, [COMMANDS.filter((c) => c.startsWith(w)), w]);
      return;
    }
    const cmd = words[0] ?? '';
    const partial = endsWithSpace ? '' : (words[words.length - 1] ?? '');
    if (!REMOTE_ARG.has(cmd)) {
      cb(null, [[], partial]);
      return;
    }
    remoteNames().then(
      (list) => {
        const hits = list.filter((n) => n.startsWith(partial)).map(quoteWord);
        const raw = line.slice(line.length - (endsWithSpace ? 0 : line.length - line.lastIndexOf(' ') - 1));
        cb(null, [hits, raw]);
      },
      () => cb(null, [[], partial]),
    );
  }) as unknown as Completer;

  const historyFile = join(homedir(), '.ftpkit_history');
  let history: string[] = [];
  if (tty) {
    history = (await readFile(historyFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).slice(-HISTORY_MAX).reverse();
  }
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: tty,
    historySize: HISTORY_MAX,
    ...(tty ? { completer, history } : {}),
  });
  // Take the iterator now: lines that arrive before the first `await` would otherwise be lost.
  const lines = rl[Symbol.asyncIterator]();
  const prompt = async (): Promise<void> => {
    if (!tty) return;
    rl.setPrompt(`ftpkit:${await client.pwd().catch(() => '?')}> `);
    rl.prompt();
  };
  const extra: ShellExtraContext = {
    client, o, out, err, tty,
    suspendInput: () => {
      rl.pause();
      if (tty) process.stdin.setRawMode(false);
    },
    resumeInput: () => {
      if (tty) process.stdin.setRawMode(true);
      rl.resume();
    },
  };
  let failed = 0;
  await prompt();
  for (;;) {
    const next = await lines.next();
    if (next.done) break;
    const line = next.value;
    const words = splitWords(line);
    if (tty && line.trim()) await appendFile(historyFile, `${line}\n`).catch(() => undefined);
    if (words.length === 0) {
      await prompt();
      continue;
    }
    const [cmd, ...args] = words as [string, ...string[]];
    if (cmd === 'exit' || cmd === 'quit' || cmd === 'bye') break;
    try {
      if (!(await runShellExtra(extra, line, cmd, args))) await runOne(client, cmd, args, out, o);
      if (!['ls', 'pwd', 'get', 'mget', 'cat', 'lcd', 'lls', 'help'].includes(cmd)) names = undefined;
    } catch (e) {
      failed++;
      err(`ftpkit: ${cmd}: ${describeError(e)}\n`);
    }
    await prompt();
  }
  rl.close();
  return failed;
}

async function runOne(client: FtpClient, cmd: string, args: string[], out: (t: string) => void, o: CommonOptions): Promise<void> {
  const flags = new Set(args.filter((a) => /^-[a-z]$/.test(a)));
  const pos = args.filter((a) => !/^-[a-z]$/.test(a));
  const need = (n: number): void => {
    if (pos.length < n) throw new Error(`${cmd}: missing argument (see help)`);
  };
  switch (cmd) {
    case 'help':
      out(HELP);
      return;
    case 'ls':
      for (const e of await client.list(pos[0] ?? '')) out(`${formatEntry(e)}\n`);
      return;
    case 'cd':
      need(1);
      await client.cd(pos[0] as string);
      return;
    case 'pwd':
      out(`${await client.pwd()}\n`);
      return;
    case 'get': {
      need(1);
      const remote = unescapeGlob(pos[0] as string);
      let local = pos[1] ?? remoteBasename(remote);
      if (await stat(local).then((s) => s.isDirectory(), () => false)) local = join(local, remoteBasename(remote));
      const progress = createProgress(basename(local), o);
      try {
        await client.download(remote, local, { resume: flags.has('-c'), onProgress: (p) => progress.update(p.offset + p.bytes, p.total) });
      } finally {
        progress.stop();
      }
      return;
    }
    case 'put': {
      need(1);
      const local = unescapeGlob(pos[0] as string);
      const remote = pos[1] ?? basename(local);
      const progress = createProgress(basename(local), o);
      try {
        await client.upload(local, remote, { resume: flags.has('-c'), onProgress: (p) => progress.update(p.offset + p.bytes, p.total) });
      } finally {
        progress.stop();
      }
      return;
    }
    case 'rm':
      need(1);
      if (flags.has('-r')) await client.removeDir(pos[0] as string, { recursive: true });
      else await client.remove(pos[0] as string);
      return;
    case 'mkdir':
      need(1);
      await client.mkdir(pos[0] as string, { recursive: flags.has('-p') });
      return;
    case 'mv':
      need(2);
      await client.rename(pos[0] as string, pos[1] as string);
      return;
    case 'lcd':
      need(1);
      process.chdir(resolve(pos[0] as string));
      out(`${process.cwd()}\n`);
      return;
    case 'lls': {
      const dir = pos[0] ?? '.';
      for (const name of (await readdir(dir)).sort()) {
        const st = await stat(join(dir, name)).catch(() => undefined);
        out(`${st?.isDirectory() ? 'd' : '-'} ${String(st?.size ?? 0).padStart(12)} ${name}\n`);
      }
      return;
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(cmd)} (try help)`);
  }
}
