// Starts the development OpenID provider (packages/local/src/dev-oidc) for the
// console's login tests. oidc-provider is ESM-only, which Jest test files
// cannot import, so the provider runs here, in globalSetup. The TypeScript
// source is bundled with esbuild first (dependencies stay external), exactly
// as the local runtime bundles it, and then loaded with a real import().
import { mkdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Inside the repo, so the bundle resolves oidc-provider from the root node_modules.
const outfile = `${root}node_modules/.cache/rez-test/dev-oidc.mjs`;

export async function start() {
  await mkdir(`${root}node_modules/.cache/rez-test`, { recursive: true });
  await build({
    entryPoints: [`${root}packages/local/src/dev-oidc/index.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const { startDevOidcProvider } = await import(pathToFileURL(outfile).href);
  const provider = await startDevOidcProvider({
    stage: 'dev',
    // Loopback redirect URIs match on any port: tests inject with one and listen on a random one.
    redirectUris: ['http://127.0.0.1:3000/auth/callback', 'http://localhost:3000/auth/callback'],
    account: { email: 'dev@rez.local', password: 'dev-password-for-tests' },
  });
  return {
    env: {
      REZ_TEST_OIDC_ISSUER: provider.issuer,
      REZ_TEST_OIDC_CLIENT_ID: provider.clientId,
      REZ_TEST_OIDC_CLIENT_SECRET: provider.clientSecret,
      REZ_TEST_OIDC_EMAIL: provider.account.email,
      REZ_TEST_OIDC_PASSWORD: provider.account.password,
    },
    stop: () => provider.close(),
  };
}
