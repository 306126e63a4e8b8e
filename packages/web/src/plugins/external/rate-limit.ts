import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';

/** Per-route limits (login, every POST), opted into with `config.rateLimit`. */
export const LOGIN_RATE_LIMIT = { max: 20, timeWindow: '1 minute' };
export const POST_RATE_LIMIT = { max: 30, timeWindow: '1 minute' };

/**
 * Rate limits keyed by client IP (the ALB's X-Forwarded-For hop on Lambda).
 * The counters live in memory, per process or Lambda instance: a brake on
 * scripted abuse, not an exact quota.
 */
export default fp(
  async (app) => {
    await app.register(rateLimit, { global: false });
  },
  { name: 'rez-rate-limit' },
);
