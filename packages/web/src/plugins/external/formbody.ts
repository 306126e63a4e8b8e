import formbody from '@fastify/formbody';
import fp from 'fastify-plugin';

/** HTML forms post application/x-www-form-urlencoded; the body limit is the app's. */
export default fp(
  async (app) => {
    await app.register(formbody);
  },
  { name: 'rez-formbody' },
);
