import { ConfigError } from '@rez/core';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type { AuthConfig, OidcMetadata } from '../deps';
import { LoginError } from '../errors';
import type { Identity, IdentityProvider, TokenSet } from './identity';

/**
 * Fetches the issuer's discovery document and checks that it describes that
 * issuer (RFC 8414 §3.3: a mismatch means a mix-up or a misconfiguration).
 * Errors name OAUTH_ISSUER.
 */
export async function discoverIssuer(issuer: string, fetcher: typeof fetch = fetch): Promise<OidcMetadata> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let metadata: Partial<OidcMetadata>;
  try {
    const response = await fetcher(url, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    metadata = (await response.json()) as Partial<OidcMetadata>;
  } catch (error) {
    throw new ConfigError('OAUTH_ISSUER', `discovery at ${url} failed: ${(error as Error).message}`);
  }
  if (normalize(metadata.issuer) !== normalize(issuer)) {
    throw new ConfigError(
      'OAUTH_ISSUER',
      `is "${issuer}" but its discovery document names "${metadata.issuer}"`,
    );
  }
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (typeof metadata[field] !== 'string') {
      throw new ConfigError('OAUTH_ISSUER', `discovery document at ${url} has no ${field}`);
    }
  }
  return metadata as OidcMetadata;
}

function normalize(issuer: string | undefined): string | undefined {
  return issuer?.replace(/\/+$/, '');
}

/**
 * An OpenID Connect provider: the id_token is verified against the issuer's
 * JWKS (signature, issuer, audience, expiry, nonce); claims it lacks (many
 * issuers keep email for userinfo) come from userinfo, whose `sub` must match.
 */
export function oidcProvider(metadata: OidcMetadata, auth: AuthConfig): IdentityProvider {
  const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
  const fetcher = auth.fetch ?? fetch;
  return {
    endpoints: { authorization: metadata.authorization_endpoint, token: metadata.token_endpoint },
    issuer: metadata.issuer,
    scope: ['openid', 'email', 'profile'],
    usesNonce: true,
    async identify(tokens: TokenSet, expected: { nonce?: string }): Promise<Identity> {
      if (!tokens.id_token) throw new LoginError('the identity provider returned no id_token');
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jwtVerify(tokens.id_token, jwks, {
          issuer: metadata.issuer,
          audience: auth.clientId,
        }));
      } catch (cause) {
        throw new LoginError(`the id_token did not verify: ${(cause as Error).message}`, { cause });
      }
      if (!expected.nonce || claims.nonce !== expected.nonce) {
        throw new LoginError('the id_token nonce does not match this login; start again', {
          statusCode: 400,
        });
      }
      const subject = String(claims.sub);
      let profile: Record<string, unknown> = claims;
      // Many issuers keep email (or its verification) for userinfo: ask there when the id_token has no verified one.
      if (
        !(typeof claims.email === 'string' && claims.email_verified === true) &&
        metadata.userinfo_endpoint
      ) {
        profile = await userinfo(metadata.userinfo_endpoint, tokens.access_token, fetcher);
        if (profile.sub !== subject) throw new LoginError('userinfo names another subject than the id_token');
      }
      // Only an address the issuer says is verified counts: a missing email_verified is not a yes
      // (an issuer that never sends it, such as Entra ID, cannot sign anyone in by e-mail).
      const email =
        typeof profile.email === 'string' && profile.email_verified === true ? profile.email : null;
      return {
        subject,
        emails: email ? [email] : [],
        name: typeof profile.name === 'string' ? profile.name : undefined,
      };
    },
  };
}

async function userinfo(endpoint: string, accessToken: string, fetcher: typeof fetch) {
  const response = await fetcher(endpoint, { headers: { authorization: `Bearer ${accessToken}` } });
  if (!response.ok) throw new LoginError(`userinfo answered HTTP ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}
