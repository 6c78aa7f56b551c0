import { command, describeCommand, expectReply, type Dialog } from './dialog.js';

/**
 * MKD; with `recursive`, each missing parent too, like `mkdir -p`: a failing MKD of an existing
 * directory is fine, which is checked with CWD (then the old directory is restored).
 * @see RFC 959 §4.1.3
 */
export function* mkdirDialog(path: string, recursive: boolean, cwd: string): Dialog<void> {
  if (!recursive) {
    expectReply(yield command('MKD', path), [257, 250], describeCommand('MKD', path));
    return;
  }
  const absolute = path.startsWith('/');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  let current = absolute ? '' : '';
  for (let i = 0; i < parts.length; i++) {
    current = i === 0 ? `${absolute ? '/' : ''}${parts[0]}` : `${current}/${parts[i]}`;
    const mkd = yield command('MKD', current);
    if (mkd.code === 257 || mkd.code === 250) continue;
    // Exists already? Only a directory we can enter counts.
    const cwdReply = yield command('CWD', current);
    if (cwdReply.code === 250) {
      yield command('CWD', cwd);
      continue;
    }
    expectReply(mkd, [257], describeCommand('MKD', current));
  }
}

/** RNFR then RNTO. @see RFC 959 §4.1.3 */
export function* renameDialog(from: string, to: string): Dialog<void> {
  expectReply(yield command('RNFR', from), [350], describeCommand('RNFR', from));
  expectReply(yield command('RNTO', to), [250, 2], describeCommand('RNTO', to));
}
