import { RezError } from '@rez/core';

/**
 * A login that could not be completed: the provider refused, the state did
 * not match, the id_token did not verify. `status` is the HTTP status the
 * console answers with; the message is shown to the person.
 */
export class LoginError extends RezError {
  readonly statusCode: number;

  constructor(message: string, options: { statusCode?: number; cause?: unknown } = {}) {
    super(message, { code: 'LOGIN_FAILED', permanent: true, cause: options.cause });
    this.statusCode = options.statusCode ?? 401;
  }
}

/** A signed-in identity that is not on REZ_ALLOWED_USERS. */
export class NotAllowedError extends RezError {
  readonly statusCode = 403;

  constructor(readonly identity: string) {
    super(`${identity} is not on this console's allowlist (REZ_ALLOWED_USERS)`, {
      code: 'NOT_ALLOWED',
      permanent: true,
      context: { identity },
    });
  }
}
