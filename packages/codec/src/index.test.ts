import { expect, test } from 'vitest';
import * as codec from './index.js';

test('the agreed public API is exported', () => {
  const names = [
    'DataChannelError',
    'LineTooLongError',
    'CommandEncodingError',
    'ReplyTooLargeError',
    'ReplySyntaxError',
    'AddressError',
    'ListParseError',
    'FactsError',
    'MdtmError',
    'LineDecoder',
    'parseCommand',
    'encodeCommand',
    'formatCommand',
    'formatReply',
    'encodeReply',
    'ReplyDecoder',
    'replyKind',
    'formatPortArg',
    'parsePortArg',
    'formatPasvReplyText',
    'parsePasvReplyText',
    'formatEprtArg',
    'parseEprtArg',
    'formatEpsvReplyText',
    'parseEpsvReplyText',
    'quotePath',
    'parseQuotedPath',
    'formatMdtm',
    'parseMdtm',
    'formatMlsxLine',
    'parseMlsxLine',
    'formatMlstFeat',
    'formatListLine',
    'formatList',
    'formatNlstLine',
    'hasUnsafeNameCharacter',
    'escapeUnsafeName',
    'parseList',
    'parseListLine',
    'AsciiEncoder',
    'AsciiDecoder',
    'ProxyHeaderError',
    'ProxyHeaderDecoder',
    'formatProxyHeaderV1',
    'encodeProxyHeaderV2',
  ];
  for (const name of names) expect(typeof (codec as Record<string, unknown>)[name], name).toBe('function');
  expect(Object.keys(codec).sort()).toEqual([...names].sort());
});

test('every error has its stable code and name', () => {
  const cases: Array<[Error & { code: string }, string]> = [
    [new codec.LineTooLongError(1), 'LINE_TOO_LONG'],
    [new codec.CommandEncodingError('x'), 'BAD_COMMAND_CHARS'],
    [new codec.ReplyTooLargeError(1), 'REPLY_TOO_LARGE'],
    [new codec.ReplySyntaxError('x'), 'BAD_REPLY'],
    [new codec.AddressError('x'), 'BAD_ADDRESS'],
    [new codec.ListParseError('x'), 'BAD_LISTING'],
    [new codec.FactsError('x'), 'BAD_FACTS'],
    [new codec.MdtmError('x'), 'BAD_TIME'],
    [new codec.ProxyHeaderError('x'), 'BAD_PROXY_HEADER'],
    [new codec.DataChannelError('timeout'), 'timeout'],
  ];
  for (const [err, code] of cases) {
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(code);
    expect(err.name).toBe(err.constructor.name);
  }
  expect(new codec.DataChannelError('tls', 'handshake', { cause: 1 }).cause).toBe(1);
});
