import { type Reply } from '@ftpkit/codec';
import type { Dialog } from '../dialog.js';

/**
 * Runs a dialog against a transcript: `S: 220 hi` is a server reply (multi-line replies as
 * `S: 211-a¶ b¶211 End`), `C: USER bob` is the command the dialog must send next, `T:` is the TLS
 * upgrade step. Returns the dialog's result; throws when the dialog strays from the script.
 */
export function runTranscript<T>(dialog: Dialog<T>, script: string[]): T {
  const lines = [...script];
  const takeReply = (): Reply => {
    const line = lines.shift();
    if (!line?.startsWith('S: ')) throw new Error(`transcript: expected a server line, got ${line ?? 'the end'}`);
    const parts = line.slice(3).split('¶');
    const code = Number(parts[0]!.slice(0, 3));
    const texts = parts.map((p) => (/^\d{3}[ -]/.test(p) ? p.slice(4) : p));
    return { code, lines: texts, text: texts.join('\n') };
  };
  let next = dialog.next();
  while (!next.done) {
    const step = next.value;
    if (step.type === 'read') {
      next = dialog.next(takeReply());
    } else if (step.type === 'upgrade-tls') {
      const line = lines.shift();
      if (line !== 'T:') throw new Error(`transcript: the dialog upgraded to TLS, script says ${line ?? 'the end'}`);
      next = dialog.next({ code: 0, lines: [], text: '' });
    } else {
      const line = lines.shift();
      const sent = `C: ${step.verb}${step.arg !== undefined ? ` ${step.arg}` : ''}`;
      if (line !== sent) throw new Error(`transcript: the dialog sent "${sent}", script says ${line ?? 'the end'}`);
      next = dialog.next(takeReply());
    }
  }
  if (lines.length > 0) throw new Error(`transcript: unused lines: ${lines.join(' / ')}`);
  return next.value;
}
