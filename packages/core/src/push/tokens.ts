/**
 * Signed one-time links for push action buttons. A token names one action on
 * one target message, the stage, the push it was on, when it expires and a
 * nonce (the key of its single-use record); it is HMAC-SHA256-signed with the
 * action key, a key of its own (never the session key). node:crypto only:
 * nothing to load at a Lambda's cold start.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { PushActionRefusedError } from '../errors';
import { isStoredMessageId, STAGES, type Stage } from '../message';

/** The reversible actions a push button may take; nothing else is ever signed. */
export const PUSH_ACTIONS = ['acknowledge', 'snooze', 'run-again', 'retry'] as const;
export type PushActionName = (typeof PUSH_ACTIONS)[number];

/** `created_by` of what an action records: `push-action:<action>`. */
export function pushActionCreator(action: PushActionName): string {
  return `push-action:${action}`;
}

/** What a token says. */
export interface PushActionClaims {
  action: PushActionName;
  /** The message acted on: the alarm message, the scheduled message, the failed message. */
  target: string;
  stage: Stage;
  /** The push (its notify message's id) whose button this was. */
  push: string;
  /** Random and unique per token: the key of its single-use record. */
  nonce: string;
  /** Epoch ms after which the token is refused. */
  expiresAt: number;
  /** Snooze only: for how long, in ms. */
  forMs?: number;
}

const VERSION = 'v1';
/** Signed with the version, so a token of another format can never verify as this one. */
const CONTEXT = `rez-push-action.${VERSION}.`;
const KEY_BYTES = 32;
const NONCE_BYTES = 16;
/** Well above any token we sign (about 250 characters); anything longer is refused unread. */
export const MAX_TOKEN_LENGTH = 1024;
/** What a token's characters may be: base64url and the separator. */
export const TOKEN_PATTERN = '^[A-Za-z0-9_.-]{1,1024}$';

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES)
    throw new RangeError(`the push action key must be ${KEY_BYTES} bytes, got ${key.length}`);
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(CONTEXT).update(payload).digest();
}

/**
 * Signs a token for one action. `nonce` is drawn here unless given.
 *
 * @example
 * const token = signPushAction({ action: 'acknowledge', target: alarmId, stage: 'dev', push: notifyId,
 *   expiresAt: Date.now() + 86_400_000 }, key);
 */
export function signPushAction(
  claims: Omit<PushActionClaims, 'nonce'> & { nonce?: string },
  key: Buffer,
): string {
  checkKey(key);
  const body = {
    a: claims.action,
    t: claims.target,
    s: claims.stage,
    p: claims.push,
    n: claims.nonce ?? randomBytes(NONCE_BYTES).toString('base64url'),
    e: claims.expiresAt,
    ...(claims.forMs === undefined ? {} : { d: claims.forMs }),
  };
  const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  return `${VERSION}.${payload}.${mac(key, payload).toString('base64url')}`;
}

/**
 * Reads and checks a token: format, signature (constant-time), stage and
 * expiry, in that order. Throws {@link PushActionRefusedError} naming the
 * first problem; a token that passes is not yet used up (see PushActions).
 */
export function verifyPushAction(
  token: string,
  options: { key: Buffer; stage: Stage; now: Date },
): PushActionClaims {
  checkKey(options.key);
  const malformed = (why: string) =>
    new PushActionRefusedError('malformed', `not a push action link (${why})`);
  if (token.length > MAX_TOKEN_LENGTH) throw malformed('too long');
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) throw malformed('not a v1 token');
  const [, payload, signature] = parts;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(options.key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new PushActionRefusedError(
      'tampered',
      'this link was not signed by this deployment (changed, or signed with another key)',
    );
  const claims = readClaims(payload);
  if (!claims) throw malformed('its contents are not a push action');
  if (claims.stage !== options.stage)
    throw new PushActionRefusedError(
      'wrong-stage',
      `this link is for stage "${claims.stage}"; this console serves "${options.stage}"`,
    );
  if (options.now.getTime() >= claims.expiresAt)
    throw new PushActionRefusedError(
      'expired',
      `this link expired at ${new Date(claims.expiresAt).toISOString()}`,
    );
  return claims;
}

function readClaims(payload: string): PushActionClaims | null {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!body || typeof body !== 'object') return null;
  const { a, t, s, p, n, e, d } = body;
  const ok =
    (PUSH_ACTIONS as readonly unknown[]).includes(a) &&
    typeof t === 'string' &&
    isStoredMessageId(t) &&
    (STAGES as readonly unknown[]).includes(s) &&
    typeof p === 'string' &&
    isStoredMessageId(p) &&
    typeof n === 'string' &&
    /^[A-Za-z0-9_-]{16,64}$/.test(n) &&
    typeof e === 'number' &&
    Number.isSafeInteger(e) &&
    (d === undefined || (typeof d === 'number' && Number.isSafeInteger(d) && d > 0));
  if (!ok) return null;
  return {
    action: a as PushActionName,
    target: t as string,
    stage: s as Stage,
    push: p as string,
    nonce: n as string,
    expiresAt: e as number,
    ...(d === undefined ? {} : { forMs: d as number }),
  };
}
