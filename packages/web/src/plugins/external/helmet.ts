import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

export interface HelmetOptions {
  /** CSP hashes ('sha256-…') of the inline <style> blocks the views use. */
  styleHashes: string[];
}

/**
 * Security headers. The CSP allows no script at all (the console needs none)
 * and styles only by hash; every answer is `Cache-Control: no-store`. HSTS is sent only on https requests (X-Forwarded-Proto
 * from the ALB): over plain http it would be ignored at best.
 */
export default fp<HelmetOptions>(
  async (app, options) => {
    await app.register(helmet, {
      hsts: false,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'none'"],
          styleSrc: options.styleHashes.map((hash) => `'${hash}'`),
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
    });
    // Pages show who is signed in and what they may see; nothing the console answers may be
    // kept by a browser or a proxy (back button after sign-out, shared machines). Set before
    // any route runs, so every route — and every error page — has it unless it says otherwise.
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    app.addHook('onSend', async (request, reply) => {
      if (request.protocol === 'https') {
        reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
      }
    });
  },
  { name: 'rez-helmet' },
);
