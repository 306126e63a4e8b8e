import { MAX_MESSAGE_BYTES, MAX_TOKEN_LENGTH, PUSH_ACTION_PATH, ValidationError } from '@rez/core';
import Fastify, { type FastifyError, type FastifyInstance, type RouteOptions } from 'fastify';
import type { ConsoleDeps } from './deps';
import authPlugin, { DEFAULT_SESSION_TTL_SECONDS, resolveProvider } from './plugins/app/auth';
import queryString from './plugins/app/query-string';
import services from './plugins/app/services';
import session from './plugins/app/session';
import views, { loadStylesheet, resolveViewsDir } from './plugins/app/views';
import csrf from './plugins/external/csrf';
import formbody from './plugins/external/formbody';
import helmet from './plugins/external/helmet';
import rateLimit from './plugins/external/rate-limit';
import actionRoutes from './routes/actions';
import authRoutes from './routes/auth';
import failedRoutes from './routes/failed';
import healthzRoutes from './routes/healthz';
import dashboardRoutes from './routes/index';
import messageRoutes from './routes/messages';
import scheduleRoutes from './routes/schedules';
import sessionRoutes from './routes/sessions';

/**
 * The most a form post may weigh, before it is decoded: what limits a
 * message is its own size (256 KiB serialized, checked by createMessage,
 * and its handler's schema), never how the browser encoded it. A form is
 * percent-encoded, which can triple the bytes (a CJK character is 3 bytes
 * of UTF-8 and 9 of %XX), so the body may be three times the largest
 * message plus room for the other fields. Anything bigger is refused with
 * 413 before it is parsed.
 */
export const BODY_LIMIT = 3 * MAX_MESSAGE_BYTES + 64 * 1024;

/** Friendlier words for the errors people can actually cause. */
const EXPLANATIONS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: `The request is over the console's limit of ${BODY_LIMIT / 1024} KiB as sent; a message may be at most ${MAX_MESSAGE_BYTES / 1024} KiB.`,
  FST_CSRF_INVALID_TOKEN:
    "The form's security token does not match this session. Reload the form and submit it again.",
  FST_CSRF_MISSING_SECRET:
    "The form's security token is missing or this session has none. Reload the form and submit it again.",
  FST_CSRF_MISSING_TOKEN: "The form's security token is missing. Reload the form and submit it again.",
};

export interface BuildOptions {
  /** Sees every route as it is registered: for route audits (the anonymous-access test). */
  onRoute?: (route: RouteOptions) => void;
}

/**
 * Builds the ops console: a Fastify app that never listens (see startConsole
 * for a local listener and lambda.ts for the ALB entry). With an OIDC issuer
 * and no `metadata`, it fetches the issuer's discovery document first.
 *
 * @example
 * const app = await buildApp({ stage: 'dev', registry: builtInRegistry(), store, queue, publisher,
 *   clock: systemClock, ids: ulidGenerator(), schedules: SCHEDULES, scheduleAnchor: new Date(), auth });
 * const response = await app.inject({ url: '/healthz' });
 */
export async function buildApp(deps: ConsoleDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const viewsDir = resolveViewsDir();
  const stylesheet = loadStylesheet(viewsDir);
  const provider = await resolveProvider(deps.auth);

  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // A push action's signed link is one path parameter of up to MAX_TOKEN_LENGTH (Fastify's default is 100).
    routerOptions: { maxParamLength: MAX_TOKEN_LENGTH },
    // Trust exactly the configured number of proxy hops (the ALB's), so a client cannot spoof its IP or protocol.
    trustProxy: (_address: string, hop: number) => hop < (deps.trustProxy ?? 0),
  });

  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  await app.register(services, { deps });
  await app.register(session, {
    keys: deps.auth.sessionKeys,
    ttlSeconds: deps.auth.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS,
    secure: deps.auth.publicUrl.startsWith('https://'),
    now: () => deps.clock.now().getTime(),
  });
  await app.register(csrf);
  await app.register(helmet, { styleHashes: [stylesheet.hash] });
  await app.register(rateLimit);
  await app.register(formbody);
  await app.register(views, { viewsDir, css: stylesheet.css, stage: deps.stage });
  await app.register(queryString);
  await app.register(authPlugin, { auth: deps.auth, provider });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Input a store or the domain refused (a forged list cursor, …) is the request's fault, not ours.
    const refused = error instanceof ValidationError ? 400 : undefined;
    const status = refused ?? (error.statusCode && error.statusCode >= 400 ? error.statusCode : 500);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.warn({ err: error, status }, 'request refused');
    if (error.code === 'NOT_ALLOWED') {
      return reply.page('forbidden', { title: 'Not allowed', message: error.message }, 403);
    }
    const message =
      status >= 500
        ? `Something went wrong on our side. It has been logged as request ${request.id}.`
        : (EXPLANATIONS[error.code] ?? error.message);
    return reply.page(
      'error',
      { title: status >= 500 ? 'Server error' : 'Request refused', message, status },
      status,
    );
  });
  app.setNotFoundHandler((request, reply) =>
    reply.page('error', { title: 'Not found', message: `Nothing at ${request.method} ${request.url}.` }, 404),
  );

  await app.register(healthzRoutes, { prefix: '/healthz' });
  await app.register(authRoutes, { prefix: '/auth' });
  // A push button's signed one-time link is its own credential: no session (see routes/actions).
  await app.register(actionRoutes, { prefix: PUSH_ACTION_PATH });
  // Everything else needs a signed-in, allowed user: one hook guards the whole subtree.
  await app.register(async (guarded) => {
    guarded.addHook('onRequest', guarded.requireUser);
    await guarded.register(dashboardRoutes);
    await guarded.register(messageRoutes, { prefix: '/messages' });
    await guarded.register(failedRoutes, { prefix: '/failed' });
    await guarded.register(scheduleRoutes, { prefix: '/schedules' });
    await guarded.register(sessionRoutes, { prefix: '/sessions' });
  });
  return app;
}
