/**
 * The codec's typed errors. Each carries a stable `code` so callers can branch without parsing
 * messages. Decoders report the peer's mistakes with these; they never return a guessed value.
 */

/** A line (command or reply line) grew past its limit. Returned as a value by {@link LineDecoder}. */
export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';
  readonly code = 'LINE_TOO_LONG' as const;
  constructor(
    /** The limit in bytes that was exceeded. */
    readonly limit: number,
    message = `line longer than ${limit} bytes`,
  ) {
    super(message);
  }
}

/** A command verb or argument that cannot be sent: CR, LF or NUL (RFC 959 §4.1.3), or a bad verb. */
export class CommandEncodingError extends Error {
  override readonly name = 'CommandEncodingError';
  readonly code = 'BAD_COMMAND_CHARS' as const;
}

/** A reply (all its lines together) grew past the decoder's limit. */
export class ReplyTooLargeError extends Error {
  override readonly name = 'ReplyTooLargeError';
  readonly code = 'REPLY_TOO_LARGE' as const;
  constructor(
    /** The limit in bytes that was exceeded. */
    readonly limit: number,
    message = `reply larger than ${limit} bytes`,
  ) {
    super(message);
  }
}

/** Text that is not a reply as RFC 959 §4.2 defines it (or a 257 text with no quoted path). */
export class ReplySyntaxError extends Error {
  override readonly name = 'ReplySyntaxError';
  readonly code = 'BAD_REPLY' as const;
}

/** A PORT/PASV/EPRT/EPSV host-port that is malformed or out of range (RFC 959 §4.1.2, RFC 2428). */
export class AddressError extends Error {
  override readonly name = 'AddressError';
  readonly code = 'BAD_ADDRESS' as const;
}

/** A directory listing line that could not be understood (only in strict mode). */
export class ListParseError extends Error {
  override readonly name = 'ListParseError';
  readonly code = 'BAD_LISTING' as const;
}

/** An MLSx facts line that is malformed (RFC 3659 §7). */
export class FactsError extends Error {
  override readonly name = 'FactsError';
  readonly code = 'BAD_FACTS' as const;
}

/** A time-val that is malformed or out of range (RFC 3659 §2.3). */
export class MdtmError extends Error {
  override readonly name = 'MdtmError';
  readonly code = 'BAD_TIME' as const;
}
