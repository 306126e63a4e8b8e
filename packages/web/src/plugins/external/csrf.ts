import csrf from '@fastify/csrf-protection';
import fp from 'fastify-plugin';

/**
 * CSRF tokens for every form: the secret lives in the encrypted session, the
 * token in a hidden `_csrf` field. POST routes check it in preValidation, once
 * the body is parsed. Our session (plugins/app/session.ts) has the get/set
 * API this plugin uses for '@fastify/secure-session'.
 */
export default fp(
  async (app) => {
    await app.register(csrf, { sessionPlugin: '@fastify/secure-session' });
  },
  { name: 'rez-csrf', dependencies: ['rez-session'] },
);
