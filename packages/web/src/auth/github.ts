import type { AuthConfig } from '../deps';
import { LoginError } from '../errors';
import type { Identity, IdentityProvider, TokenSet } from './identity';

const API = 'https://api.github.com';

/**
 * GitHub's OAuth app flow. GitHub issues no id_token, so the identity comes
 * from the API with the access token: /user for the login, /user/emails for
 * the verified addresses.
 */
export function githubProvider(auth: AuthConfig): IdentityProvider {
  const fetcher = auth.fetch ?? fetch;
  const get = async (path: string, token: string): Promise<unknown> => {
    const response = await fetcher(`${API}${path}`, {
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.github+json',
        'user-agent': 'rez-console',
      },
    });
    if (!response.ok) throw new LoginError(`GitHub ${path} answered HTTP ${response.status}`);
    return response.json();
  };
  return {
    endpoints: {
      authorization: 'https://github.com/login/oauth/authorize',
      token: 'https://github.com/login/oauth/access_token',
    },
    scope: ['read:user', 'user:email'],
    usesNonce: false,
    async identify(tokens: TokenSet): Promise<Identity> {
      const user = (await get('/user', tokens.access_token)) as {
        id?: number;
        login?: string;
        name?: string;
      };
      if (typeof user.login !== 'string' || user.id === undefined) {
        throw new LoginError('GitHub /user returned no login');
      }
      const emails = (await get('/user/emails', tokens.access_token)) as {
        email: string;
        verified: boolean;
      }[];
      return {
        subject: `github:${user.id}`,
        login: user.login,
        emails: emails.filter((e) => e.verified === true && typeof e.email === 'string').map((e) => e.email),
        name: user.name ?? user.login,
      };
    },
  };
}
