import { describe, expect, it } from 'vitest';
import { mkdirDialog, renameDialog } from './mkdir-dialog.js';
import { runTranscript } from './test-support/transcript.js';

describe('mkdirDialog', () => {
  it('makes each missing parent and accepts existing ones (checked with CWD)', () => {
    runTranscript(mkdirDialog('/a/b c/d', true, '/home'), [
      'C: MKD /a', 'S: 550 exists', 'C: CWD /a', 'S: 250 ok', 'C: CWD /home', 'S: 250 ok',
      'C: MKD /a/b c', 'S: 257 "/a/b c" created',
      'C: MKD /a/b c/d', 'S: 257 "/a/b c/d" created',
    ]);
  });
  it('fails when a part is a file', () => {
    expect(() => runTranscript(mkdirDialog('f/x', true, '/'), ['C: MKD f', 'S: 550 exists', 'C: CWD f', 'S: 550 not a dir'])).toThrow(/MKD f: 550/);
  });
  it('plain MKD without recursive', () => {
    expect(() => runTranscript(mkdirDialog('x', false, '/'), ['C: MKD x', 'S: 550 exists'])).toThrow(/550/);
  });
});

describe('renameDialog', () => {
  it('RNFR then RNTO', () => {
    runTranscript(renameDialog('a', 'b'), ['C: RNFR a', 'S: 350 ready', 'C: RNTO b', 'S: 250 done']);
    expect(() => runTranscript(renameDialog('a', 'b'), ['C: RNFR a', 'S: 550 no such file'])).toThrow(/RNFR a: 550/);
  });
});
