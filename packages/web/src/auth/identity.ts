import type { AuthConfig } from '../deps';

/** Who the provider says signed in, reduced to what the allowlist can match. */
export interface Identity {
  /** The provider's stable subject (OIDC `sub`, GitHub user id). */
  subject: string;
  /** GitHub login; absent for OIDC (preferred_username is not verified anywhere). */
  login?: string;
  /** Verified emails, lower-cased. */
  emails: string[];
  name?: string;
}

/** The signed-in person as the session keeps it. */
export interface ConsoleUser {
  /** What the console shows and writes into created_by: the login, else the first email. */
  handle: string;
  name: string;
  subject: string;
}

/** The token response fields the providers read. */
export interface TokenSet {
  access_token: string;
  id_token?: string;
  token_type?: string;
}

/** A provider the console can log in with. */
export interface IdentityProvider {
  /** Absolute URLs of the OAuth2 authorization and token endpoints. */
  endpoints: { authorization: string; token: string };
  /** OpenID Connect: the issuer an RFC 9207 `iss` callback parameter must name. */
  issuer?: string;
  scope: string[];
  /** OIDC binds the id_token to the login with a nonce; plain OAuth2 (GitHub) has none. */
  usesNonce: boolean;
  /** Verifies the token response and says who signed in. Throws LoginError. */
  identify(tokens: TokenSet, expected: { nonce?: string }): Promise<Identity>;
}

/**
 * Checks an identity against the allowlist: an entry with "@" matches a
 * verified email, any other entry a GitHub login. Returns the session user,
 * or null when nobody on the list matches.
 */
export function allowedUser(identity: Identity, allowed: AuthConfig['allowedUsers']): ConsoleUser | null {
  const list = new Set(allowed.map((entry) => entry.toLowerCase()));
  const login = identity.login?.toLowerCase();
  const byLogin = login !== undefined && list.has(login);
  const email = identity.emails.find((candidate) => list.has(candidate.toLowerCase()));
  if (!byLogin && email === undefined) return null;
  const handle = identity.login ?? email ?? identity.subject;
  return { handle, name: identity.name ?? handle, subject: identity.subject };
}

/** How a refused identity is named on the 403 page. */
export function describeIdentity(identity: Identity): string {
  return identity.login ?? identity.emails[0] ?? `subject ${identity.subject}`;
}
