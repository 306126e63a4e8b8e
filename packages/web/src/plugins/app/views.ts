import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { consoleMessagePath } from '@rez/core';
import { Eta } from 'eta';
import fp from 'fastify-plugin';
import type { ConsoleUser } from '../../auth/identity';

/**
 * Where the .eta files are: beside the bundle (dist/views, copied by the
 * build) or in the source tree (src/views) when run from TypeScript.
 */
export function resolveViewsDir(): string {
  const candidates = [
    join(__dirname, 'views'),
    join(__dirname, '../../views'),
    join(__dirname, '../src/views'),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'layout.eta')));
  if (!found) throw new Error(`console views not found; looked in ${candidates.join(', ')}`);
  return found;
}

/** The stylesheet and its CSP hash: it is inlined, so the CSP can forbid every other style. */
export function loadStylesheet(viewsDir: string): { css: string; hash: string } {
  const css = readFileSync(join(viewsDir, 'app.css'), 'utf8');
  return { css, hash: `sha256-${createHash('sha256').update(css).digest('base64')}` };
}

/** What every page gets besides its own data. */
export interface PageContext {
  title: string;
  user: ConsoleUser | null;
  stage: string;
  css: string;
  /** CSRF token for the sign-out form (and any other form on the page); '' when signed out. */
  csrf: string;
  /** The href of a stored message's page (core's consoleMessagePath). */
  messagePath: (id: string) => string;
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders `views/<template>.eta` inside the layout and sends it as HTML. */
    page(
      template: string,
      data: { title: string } & Record<string, unknown>,
      statusCode?: number,
    ): FastifyReply;
  }
  interface FastifyRequest {
    /** Set by the auth hook on guarded routes. */
    user: ConsoleUser | null;
  }
}

export default fp<{ viewsDir: string; css: string; stage: string }>(
  async (app, options) => {
    // autoEscape: every <%= %> is HTML-escaped; <%~ %> is used only for our own stylesheet.
    const eta = new Eta({ views: options.viewsDir, autoEscape: true, cache: true });
    app.decorateRequest('user', null);
    app.decorateReply(
      'page',
      function (
        this,
        template: string,
        data: { title: string } & Record<string, unknown>,
        statusCode?: number,
      ) {
        // Only guarded routes set request.user: an /auth page never shows a stale session as signed in.
        const user = this.request.user;
        const context: PageContext = {
          title: data.title,
          user,
          stage: options.stage,
          css: options.css,
          csrf: user && this.request.session ? this.generateCsrf() : '',
          messagePath: consoleMessagePath,
        };
        const html = eta.render(template, { ...data, ...context });
        if (statusCode !== undefined) this.code(statusCode);
        return this.type('text/html; charset=utf-8').send(html);
      },
    );
  },
  { name: 'rez-views', dependencies: ['rez-csrf'] },
);
