import {
  budgetKey,
  builtInRegistry,
  type Clock,
  ConfigError,
  consoleCallbackUrl,
  type Env,
  optionalEnv,
  type UserSchedules,
  ulidGenerator,
} from '@rez/core';
import { type AuthConfig, type ConsoleDeps, readConsoleConfig, startConsole } from '@rez/web';
import type { LocalConfig } from './config';
import { startDevOidcProvider } from './dev-oidc';
import type { LocalPipeline } from './pipeline';
import type { SchedulerLoop } from './scheduler-loop';
import { readSessionKeyFile } from './session-key';

export { SESSION_KEY_FILE } from './session-key';

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
  userSchedules: UserSchedules;
  clock: Clock;
  /** The key that checks push action links; null when push actions are off. */
  actionKey: Buffer | null;
}): Promise<LocalConsole> {
  const { env, config, pipeline } = options;
  const publicUrl = `http://localhost:${config.port}`;
  // Checked before anything starts: a broken key file is refused on its own.
  const sessionKey = optionalEnv(env, 'REZ_SESSION_KEY') ? undefined : readSessionKeyFile(config.dataDir);
  let auth: AuthConfig;
  let dev: Awaited<ReturnType<typeof startDevOidcProvider>> | null = null;
  if (optionalEnv(env, 'OAUTH_ISSUER') || optionalEnv(env, 'OAUTH_PROVIDER')) {
    auth = readConsoleConfig({
      REZ_PUBLIC_URL: publicUrl,
      ...(sessionKey && { REZ_SESSION_KEY: sessionKey.toString('base64') }),
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
      port: config.devOidcPort,
      redirectUris: [consoleCallbackUrl(publicUrl), consoleCallbackUrl(`http://127.0.0.1:${config.port}`)],
    }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      throw new ConfigError(
        'REZ_DEV_OIDC_PORT',
        `${config.devOidcPort} is already in use; set REZ_DEV_OIDC_PORT to another port`,
      );
    });
    auth = {
      provider: { kind: 'oidc', issuer: dev.issuer },
      clientId: dev.clientId,
      clientSecret: dev.clientSecret,
      allowedUsers: [dev.account.email],
      sessionKeys: [sessionKey ?? readSessionKeyFile(config.dataDir)],
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
    userSchedules: options.userSchedules,
    push: {
      state: pipeline.pushState,
      actionKey: options.actionKey,
      budget: config.push.limits
        ? { key: budgetKey(config.ntfy.baseUrl, config.ntfy.topic), limits: config.push.limits }
        : null,
    },
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ConfigError('PORT', `${config.port} is already in use; set PORT to another port`);
    if (code === 'EACCES')
      throw new ConfigError(
        'PORT',
        `${config.port} needs privileges this user lacks (ports below 1024); set PORT to a port from 1024 to 65535`,
      );
    throw error;
  }
}
