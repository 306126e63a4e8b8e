import { createHash, randomBytes } from 'node:crypto';
import { LoginError } from '../errors';
import type { TokenSet } from './identity';

/**
 * The OAuth 2.0 authorization code grant (RFC 6749 §4.1) with PKCE S256
 * (RFC 7636), as the console's login needs it: build the authorization URL,
 * exchange the code. The state, nonce and verifier live in the encrypted
 * session (plugins/app/session.ts), not in cookies of their own; who signed
 * in is established by the IdentityProvider (auth/oidc.ts verifies the
 * id_token), never by this module.
 */

/**
 * Token-endpoint errors that mean this code cannot be redeemed — used
 * already, expired, issued for another login or PKCE verifier, or a request
 * the browser's callback made unredeemable — rather than a console
 * misconfiguration: the person starts again (400), nothing is wrong here.
 * `bad_verification_code` is GitHub's word for a used or expired code.
 */
const CODE_REFUSALS = new Set(['invalid_grant', 'invalid_request', 'bad_verification_code']);

/** How long a token request may take before the login fails. */
export const TOKEN_TIMEOUT_MS = 10_000;

/** An unguessable token for state and nonce: 24 random bytes, base64url (32 characters). */
export const randomToken = (): string => randomBytes(24).toString('base64url');

/** The S256 code_challenge of a PKCE verifier: base64url(SHA-256(verifier)). */
export const codeChallenge = (verifier: string): string =>
  createHash('sha256').update(verifier).digest('base64url');

/** A fresh PKCE verifier (32 random bytes, base64url: 43 characters) and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: codeChallenge(verifier) };
}

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scope: readonly string[];
  state: string;
  codeChallenge: string;
  /** OpenID Connect only: bound into the id_token. */
  nonce?: string;
}

/**
 * The URL to send the browser to (`endpoint` plus the request parameters;
 * query parameters the endpoint already has are kept).
 *
 * @example
 * const { verifier, challenge } = pkcePair();
 * const url = authorizationUrl('https://issuer.example/authorize', {
 *   clientId: 'rez', redirectUri: 'https://rez.example/auth/callback', scope: ['openid'],
 *   state: randomToken(), codeChallenge: challenge,
 * });
 */
export function authorizationUrl(endpoint: string, request: AuthorizationRequest): URL {
  const url = new URL(endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', request.scope.join(' '));
  url.searchParams.set('state', request.state);
  url.searchParams.set('code_challenge', request.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  if (request.nonce !== undefined) url.searchParams.set('nonce', request.nonce);
  return url;
}

export interface CodeExchange {
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
  codeVerifier: string;
}

/** RFC 6749 §2.3.1: each part form-encoded, then joined and base64'd. */
function basicAuth(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/**
 * Exchanges an authorization code at the token endpoint, authenticating the
 * client with HTTP Basic (client_secret_basic). Throws {@link LoginError}:
 * 400 when the provider refuses this code (replayed, expired, wrong PKCE
 * verifier: see CODE_REFUSALS), else 502 naming what the provider said (an
 * OAuth error such as invalid_client, a non-JSON answer, a missing
 * access_token, a timeout). GitHub answers errors with 200 and an `error`
 * field; that is an error here too.
 *
 * @example
 * const tokens = await exchangeCode('https://issuer.example/token', { clientId, clientSecret, code,
 *   redirectUri, codeVerifier: login.verifier });
 */
export async function exchangeCode(
  endpoint: string,
  exchange: CodeExchange,
  fetcher: typeof fetch = fetch,
): Promise<TokenSet> {
  const fail = (reason: string, cause?: unknown) =>
    new LoginError(`the code exchange with the identity provider failed: ${reason}`, {
      statusCode: 502,
      cause,
    });
  let response: Response;
  try {
    response = await fetcher(endpoint, {
      method: 'POST',
      headers: {
        authorization: basicAuth(exchange.clientId, exchange.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: exchange.code,
        redirect_uri: exchange.redirectUri,
        code_verifier: exchange.codeVerifier,
      }),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (cause) {
    throw fail(`cannot reach ${new URL(endpoint).origin} (${(cause as Error).message})`, cause);
  }
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw fail(`HTTP ${response.status}, not JSON: ${JSON.stringify(text.slice(0, 120))}`, cause);
  }
  if (typeof body.error === 'string') {
    if (CODE_REFUSALS.has(body.error)) {
      throw new LoginError(
        `the identity provider would not redeem this sign-in (${body.error}: the code was already used, has expired or belongs to another login); start again`,
        { statusCode: 400 },
      );
    }
    const detail = typeof body.error_description === 'string' ? ` (${body.error_description})` : '';
    throw fail(`${body.error}${detail}`);
  }
  if (!response.ok) throw fail(`HTTP ${response.status}`);
  if (typeof body.access_token !== 'string' || body.access_token === '')
    throw fail('no access_token in the answer');
  if (typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer') {
    throw fail(`token_type is "${body.token_type}", not Bearer`);
  }
  return {
    access_token: body.access_token,
    token_type: typeof body.token_type === 'string' ? body.token_type : undefined,
    id_token: typeof body.id_token === 'string' ? body.id_token : undefined,
  };
}
