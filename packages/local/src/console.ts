import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtInRegistry, type Clock, ConfigError, type Env, optionalEnv, ulidGenerator } from '@rez/core';
import { type AuthConfig, type ConsoleDeps, readConsoleConfig, startConsole } from '@rez/web';
import type { LocalConfig } from './config';
import { DATA_FILE_MODE, keepPrivate } from './data-dir';
import { startDevOidcProvider } from './dev-oidc';
import type { LocalPipeline } from './pipeline';
import type { SchedulerLoop } from './scheduler-loop';

export const SESSION_KEY_FILE = 'session.key';

export interface LocalConsole {
  url: string;
  /** The dev provider's account, when the console signs in through it. */
  devAccount: { email: string; password: string } | null;
  close(): Promise<void>;
}

/**
 * The ops console on this machine: the same Fastify app as on Lambda, on
 * http://localhost:PORT, over the local store and queue. With OAUTH_ISSUER
 * (or OAUTH_PROVIDER=github) it signs in through that issuer, configured as on
 * AWS (readConsoleConfig). Without one, a development OpenID provider starts
 * on loopback and the console signs in through it — the real OAuth2 + PKCE
 * code path — with one account, printed at start. Stage prod refuses that.
 */
export async function startLocalConsole(options: {
  env: Env;
  config: LocalConfig;
  pipeline: LocalPipeline;
  scheduler: SchedulerLoop;
  clock: Clock;
}): Promise<LocalConsole> {
  const { env, config, pipeline } = options;
  const publicUrl = `http://localhost:${config.port}`;
  let auth: AuthConfig;
  let dev: Awaited<ReturnType<typeof startDevOidcProvider>> | null = null;
  if (optionalEnv(env, 'OAUTH_ISSUER') || optionalEnv(env, 'OAUTH_PROVIDER')) {
    auth = readConsoleConfig({
      REZ_PUBLIC_URL: publicUrl,
      REZ_SESSION_KEY: sessionKey(config.dataDir),
      ...env,
    }).auth;
  } else {
    if (config.stage === 'prod') {
      throw new ConfigError(
        'OAUTH_ISSUER',
        'is required for stage prod: the development sign-in is for dev and stage only',
      );
    }
    dev = await startDevOidcProvider({
      stage: config.stage,
      redirectUris: [`${publicUrl}/auth/callback`, `http://127.0.0.1:${config.port}/auth/callback`],
    });
    auth = {
      provider: { kind: 'oidc', issuer: dev.issuer },
      clientId: dev.clientId,
      clientSecret: dev.clientSecret,
      allowedUsers: [dev.account.email],
      sessionKeys: [Buffer.from(sessionKey(config.dataDir), 'base64')],
      publicUrl,
    };
  }
  const deps: ConsoleDeps = {
    stage: config.stage,
    registry: builtInRegistry(),
    store: pipeline.store,
    queue: pipeline.queue,
    publisher: pipeline.publisher,
    clock: options.clock,
    ids: ulidGenerator(),
    schedules: config.schedules,
    scheduleAnchor: options.scheduler.anchor(),
    auth,
  };
  try {
    const { app } = await startConsole(deps, { port: config.port, host: '127.0.0.1' });
    return {
      url: publicUrl,
      devAccount: dev?.account ?? null,
      close: async () => {
        await app.close();
        await dev?.close();
      },
    };
  } catch (error) {
    await dev?.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError('PORT', `${config.port} is already in use; set PORT to another port`);
    }
    throw error;
  }
}

/** A session key kept in the data dir, so sign-ins survive a restart. */
function sessionKey(dataDir: string): string {
  const file = path.join(dataDir, SESSION_KEY_FILE);
  try {
    keepPrivate(file);
    return readFileSync(file, 'utf8').trim();
  } catch {
    const key = randomBytes(32).toString('base64');
    writeFileSync(file, `${key}\n`, { mode: DATA_FILE_MODE });
    return key;
  }
}
