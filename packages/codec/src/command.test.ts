import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeCommand, formatCommand, parseCommand } from './command.js';
import { CommandEncodingError } from './errors.js';

describe('parseCommand', () => {
  test('upper-cases the verb and removes only the one separating space', () => {
    expect(parseCommand('retr  my file ')).toEqual({ verb: 'RETR', arg: ' my file ', hasArg: true });
    expect(parseCommand('NOOP')).toEqual({ verb: 'NOOP', arg: '', hasArg: false });
    expect(parseCommand('CWD ')).toEqual({ verb: 'CWD', arg: '', hasArg: true });
    expect(parseCommand('')).toEqual({ verb: '', arg: '', hasArg: false });
  });

  test('keeps quotes and other characters raw', () => {
    expect(parseCommand('STOR "a b"')).toEqual({ verb: 'STOR', arg: '"a b"', hasArg: true });
    expect(parseCommand('site chmod 755 x')).toEqual({ verb: 'SITE', arg: 'chmod 755 x', hasArg: true });
  });
});

describe('formatCommand / encodeCommand', () => {
  test('verb, one space, argument, CRLF', () => {
    expect(formatCommand('STOR', 'a b')).toBe('STOR a b\r\n');
    expect(formatCommand('PASV')).toBe('PASV\r\n');
    expect(formatCommand('PASV', '')).toBe('PASV\r\n');
    expect(formatCommand('SITE CHMOD', '755 x')).toBe('SITE CHMOD 755 x\r\n');
    expect(new TextDecoder().decode(encodeCommand('CWD', 'ü'))).toBe('CWD ü\r\n');
  });

  test.each([
    ['STOR', 'a\rb'],
    ['STOR', 'a\nb'],
    ['STOR', 'a\0b'],
    ['ST\nOR', 'x'],
    ['', 'x'],
  ])('refuses %j %j with CommandEncodingError', (verb, arg) => {
    expect(() => formatCommand(verb, arg)).toThrow(CommandEncodingError);
    try {
      encodeCommand(verb, arg);
      expect.unreachable();
    } catch (err) {
      expect((err as CommandEncodingError).code).toBe('BAD_COMMAND_CHARS');
    }
  });

  test('property: format then parse gives the verb and argument back', () => {
    const verb = fc.stringMatching(/^[A-Z]{3,4}$/);
    const arg = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\r\n\0]/.test(s));
    fc.assert(
      fc.property(verb, arg, (v, a) => {
        const line = formatCommand(v, a);
        expect(parseCommand(line.slice(0, -2))).toEqual({ verb: v, arg: a, hasArg: true });
      }),
    );
  });
});
