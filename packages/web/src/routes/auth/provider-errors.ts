/**
 * What the console says when the identity provider answers the callback
 * with an error (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6): the
 * error code only when it is one of these, in our words — never the
 * provider's `error_description`, which arrives in a URL anyone can write
 * and would be shown on the console's origin.
 */
const KNOWN: Record<string, { meaning: string; statusCode: number }> = {
  access_denied: { meaning: 'the sign-in was cancelled or refused there', statusCode: 401 },
  invalid_request: { meaning: 'it found the sign-in request malformed', statusCode: 400 },
  unauthorized_client: {
    meaning: 'this console is not allowed to use it (check OAUTH_CLIENT_ID)',
    statusCode: 502,
  },
  unsupported_response_type: { meaning: 'it does not support the code flow', statusCode: 502 },
  invalid_scope: { meaning: 'it refused the scopes asked for', statusCode: 502 },
  server_error: { meaning: 'it failed on its side', statusCode: 502 },
  temporarily_unavailable: { meaning: 'it is temporarily unavailable', statusCode: 503 },
  interaction_required: { meaning: 'it needs you to sign in there first', statusCode: 401 },
  login_required: { meaning: 'it needs you to sign in there first', statusCode: 401 },
  account_selection_required: { meaning: 'it needs you to choose an account', statusCode: 401 },
  consent_required: { meaning: 'it needs your consent for this console', statusCode: 401 },
};

/** The message and status for a callback `error` code; an unknown code is not echoed. */
export function providerRefusal(code: string): { message: string; statusCode: number } {
  const known = Object.hasOwn(KNOWN, code) ? KNOWN[code] : undefined;
  if (!known) {
    return {
      message:
        'the identity provider refused the login with an error this console does not know; start again',
      statusCode: 401,
    };
  }
  return {
    message: `the identity provider refused the login (${code}): ${known.meaning}; start again`,
    statusCode: known.statusCode,
  };
}
