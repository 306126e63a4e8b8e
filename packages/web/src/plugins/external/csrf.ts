import csrf from '@fastify/csrf-protection';
import type {
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  preValidationHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';

/** Methods that change something: every route answering one checks the form's CSRF token. */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false` exempts a route from the CSRF check (one authenticated some
     * other way, such as a signed one-time link); every other route that
     * answers POST, PUT, PATCH or DELETE is checked.
     */
    csrf?: boolean;
  }
}

/**
 * CSRF tokens for every form: the secret lives in the encrypted session, the
 * token in a hidden `_csrf` field. Every route answering an unsafe method
 * checks it in preValidation (once the body is parsed) without asking: the
 * check is added as the route is registered, so a new route cannot forget
 * it. Our session (plugins/app/session.ts) has the get/set API this plugin
 * uses for '@fastify/secure-session'.
 */
export default fp(
  async (app) => {
    await app.register(csrf, { sessionPlugin: '@fastify/secure-session' });
    const check = app.csrfProtection;
    const onUnsafe = function (
      this: unknown,
      request: FastifyRequest,
      reply: FastifyReply,
      done: HookHandlerDoneFunction,
    ) {
      if (!UNSAFE_METHODS.has(request.method)) return done();
      return (check as (...args: unknown[]) => void).call(this, request, reply, done);
    };
    app.addHook('onRoute', (route) => {
      const methods = ([] as string[]).concat(route.method);
      if (!methods.some((method) => UNSAFE_METHODS.has(method))) return;
      if (route.config?.csrf === false) return;
      const existing = ([] as preValidationHookHandler[]).concat(route.preValidation ?? []);
      if (existing.includes(check)) return;
      route.preValidation = [onUnsafe as preValidationHookHandler, ...existing];
    });
  },
  { name: 'rez-csrf', dependencies: ['rez-session'] },
);
