import type { FastifyInstance } from 'fastify';

/** GET /healthz: open to anyone (ALB health checks); says nothing about the pipeline. */
export default async function healthzRoutes(app: FastifyInstance) {
  app.get(
    '/',
    {
      schema: {
        response: {
          200: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] },
        },
      },
    },
    async () => ({ status: 'ok' }),
  );
}
