/** Who the provider says signed in, reduced to what the allowlist can match. */
export interface Identity {
  /** The provider's stable subject (OIDC `sub`, GitHub user id). */
  subject: string;
  /** GitHub login; absent for OIDC (preferred_username is not verified anywhere). */
  login?: string;
  /**
   * E-mail addresses the provider says are verified (OIDC `email_verified`
   * exactly `true`, GitHub `verified: true`), as the provider spells them.
   */
  emails: string[];
  name?: string;
}

/** The signed-in person as the session keeps it. */
export interface ConsoleUser {
  /** What the console shows and writes into created_by: the login, else the first email. */
  handle: string;
  name: string;
  subject: string;
  /**
   * The allowlist entry this person signed in as (a consoleUserKey): checked
   * against REZ_ALLOWED_USERS on every request, and the key their sessions
   * are ended under.
   */
  entry: string;
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

/** The session user for an identity the allowlist let in as `entry`. */
export function consoleUser(identity: Identity, entry: string): ConsoleUser {
  const handle = identity.login ?? identity.emails.find((email) => email.length > 0) ?? identity.subject;
  return { handle, name: identity.name ?? handle, subject: identity.subject, entry };
}

/** How a refused identity is named on the 403 page. */
export function describeIdentity(identity: Identity): string {
  return identity.login ?? identity.emails[0] ?? `subject ${identity.subject}`;
}
