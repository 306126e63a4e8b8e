/**
 * The bad-input corpus, continued: what reaches the console other than its
 * message form — list cursors, query strings, where to go after sign-in,
 * the identity provider's callback, and session cookies. Re-exported by
 * corpus.ts.
 */
import { BAD_CURSORS } from '@rez/core/testing';

// ── List cursors (/messages?cursor=…, `npm run rez -- list --cursor …`, every store) ──

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** Cursors no store handed out: the console answers 400, the CLI exits 2, every store throws ValidationError. */
export const CURSOR_CASES: string[] = BAD_CURSORS(base64url);
