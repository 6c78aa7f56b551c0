/** Why a data connection failed. Shared by both ends; the server maps codes to 425/426. */
export type DataChannelErrorCode = 'timeout' | 'refused' | 'peer-mismatch' | 'reset' | 'tls' | 'not-prepared';

/**
 * A data-channel failure with a stable code. It lives in the codec (the one package every side
 * imports) so the pure session can recognise what the transport throws.
 */
export class DataChannelError extends Error {
  override readonly name = 'DataChannelError';
  constructor(
    readonly code: DataChannelErrorCode,
    message: string = code,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
