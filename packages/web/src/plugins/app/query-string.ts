import fp from 'fastify-plugin';

/**
 * Whether a raw query string (after `?`) is well-formed
 * application/x-www-form-urlencoded: every `%` starts an escape of two hex
 * digits and the escapes spell UTF-8. `+` is a space, as browsers send it
 * from a GET form.
 */
export function isWellFormedQuery(query: string): boolean {
  if (!query.includes('%')) return true;
  for (const part of query.split('&')) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * One reading of query strings, locally and behind the ALB: Fastify's own
 * parser (`+` is a space, as in a form; the Lambda entry hands it the
 * query string the ALB received, undecoded — see lambda-handler.ts), and a
 * query string with a malformed percent-encoding (`?x=%ZZ`, bytes that are
 * not UTF-8) is refused with a 400 page before any route runs, on every
 * route, signed in or not.
 */
export default fp(
  async (app) => {
    app.addHook('onRequest', async (request, reply) => {
      const url = request.raw.url ?? '';
      const mark = url.indexOf('?');
      if (mark < 0 || isWellFormedQuery(url.slice(mark + 1))) return;
      return reply.page(
        'error',
        {
          title: 'Request refused',
          message:
            'The query string of this address is malformed: a % must start two hex digits that spell UTF-8 (a space is %20 or +).',
        },
        400,
      );
    });
  },
  { name: 'rez-query-string', dependencies: ['rez-views'] },
);
