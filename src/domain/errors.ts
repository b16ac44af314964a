/** An expected failure with a stable code and a message written for the person who asked. */
export class UserFacingError extends Error {
  override readonly name = 'UserFacingError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
