import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Stage } from '@rez/core';
import { loginPage } from './login-page';

export interface DevOidcOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback only; default 127.0.0.1. */
  host?: string;
  /** The stage the local runtime serves; `prod` is refused. */
  stage: Stage;
  /** The console's callback URLs. Loopback http URLs match on any port (RFC 8252 §7.3). */
  redirectUris: string[];
  /** The one account that can sign in; default dev@rez.local with a random password. */
  account?: { email: string; password: string };
}

export interface DevOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  account: { email: string; password: string };
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Starts a development OpenID provider (oidc-provider 9) on loopback, so the
 * console's real OAuth2 + PKCE code path works without any external issuer.
 * One client, one account, throwaway signing keys; a sign-in form of its own.
 * Refuses stage prod. Never import it from a Lambda package: oidc-provider is
 * ESM-only and loaded here with a real dynamic import, which esbuild keeps.
 *
 * @example
 * const dev = await startDevOidcProvider({ stage: 'dev', redirectUris: ['http://localhost:3000/auth/callback'] });
 * console.log(`sign in as ${dev.account.email} / ${dev.account.password}`);
 */
export async function startDevOidcProvider(options: DevOidcOptions): Promise<DevOidcProvider> {
  if (options.stage === 'prod') {
    throw new Error(
      'the development OpenID provider refuses to start for stage prod: it signs anyone with the printed password in ' +
        'with throwaway keys. Configure a real issuer (OAUTH_ISSUER) or OAUTH_PROVIDER=github instead.',
    );
  }
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host))
    throw new Error(`the development OpenID provider binds to loopback only, not "${host}"`);
  if (options.redirectUris.length === 0)
    throw new Error('startDevOidcProvider needs at least one redirect URI');

  const { default: Provider } = await import('oidc-provider');
  const account = options.account ?? {
    email: 'dev@rez.local',
    password: randomBytes(9).toString('base64url'),
  };
  const clientId = 'rez-console-dev';
  const clientSecret = randomBytes(24).toString('base64url');

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const allLoopback = options.redirectUris.every((uri) => {
    const url = new URL(uri);
    return url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        // A native client's loopback redirect URIs match on any port, so the console may listen anywhere.
        application_type: allLoopback ? 'native' : 'web',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'dev', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    // Short, explicit lifetimes (a development login needs no more), which also keeps oidc-provider from nagging.
    ttl: {
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 43_200,
      Grant: 43_200,
      AccessToken: 600,
      IdToken: 600,
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, sub: string) {
      if (sub !== account.email) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: account.email, email_verified: true, name: 'Rez developer' }),
      };
    },
  });

  const hint = `The dev account is printed by the process that started it (${account.email}).`;
  const interactions = async (req: IncomingMessage, res: ServerResponse, path: string[]) => {
    const [uid, action] = path;
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction does not belong to this browser');
    if (action === 'abort') {
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'sign-in cancelled',
      });
      return;
    }
    if (details.prompt.name === 'consent') {
      // A first-party development client: consent is granted without asking.
      const grant = new provider.Grant({
        accountId: String(details.session?.accountId),
        clientId: details.params.client_id,
      });
      if (details.prompt.details.missingOIDCScope)
        grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
      if (details.prompt.details.missingOIDCClaims)
        grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId: await grant.save() } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    if (action === 'login' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const email = form.get('email')?.trim() ?? '';
      if (email.toLowerCase() === account.email.toLowerCase() && form.get('password') === account.password) {
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: account.email } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      return sendHtml(res, 401, loginPage({ uid, email, error: 'Unknown email or wrong password.', hint }));
    }
    return sendHtml(res, 200, loginPage({ uid, hint }));
  };

  const handle = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', issuer).pathname.split('/').filter(Boolean);
    if (path[0] !== 'interaction') return handle(req, res);
    interactions(req, res, path.slice(1)).catch((error: Error) => {
      if (!res.headersSent)
        sendHtml(res, 400, `<!doctype html><p>Sign-in failed: ${error.message.replace(/[<&]/g, '')}</p>`);
    });
  });

  return {
    issuer,
    clientId,
    clientSecret,
    account,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16_384) throw new Error('sign-in form too large');
  }
  return body;
}
