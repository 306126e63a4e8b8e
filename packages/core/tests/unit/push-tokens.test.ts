import { PushActionRefusedError, signPushAction, verifyPushAction } from '@rez/core';

const KEY = Buffer.alloc(32, 5);
const NOW = new Date('2026-03-01T12:00:00.000Z');
const claims = {
  action: 'acknowledge' as const,
  target: '01JQ0000000000000000000001',
  stage: 'dev' as const,
  push: '01JQ0000000000000000000002',
  expiresAt: NOW.getTime() + 60_000,
};

/** The refusal `act` throws, as `[refusal, message]`. */
function refusal(act: () => unknown): [string, string] {
  try {
    act();
  } catch (error) {
    if (error instanceof PushActionRefusedError) return [error.refusal, error.message];
    throw error;
  }
  throw new Error('not refused');
}

describe('Functions: signPushAction / verifyPushAction', () => {
  it('round-trips what the token names, with a fresh nonce per token', () => {
    const token = signPushAction({ ...claims, action: 'snooze', forMs: 3_600_000 }, KEY);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const read = verifyPushAction(token, { key: KEY, stage: 'dev', now: NOW });
    expect(read).toEqual({ ...claims, action: 'snooze', forMs: 3_600_000, nonce: expect.any(String) });
    const other = verifyPushAction(signPushAction(claims, KEY), { key: KEY, stage: 'dev', now: NOW });
    expect(other.nonce).not.toBe(read.nonce);
  });

  it('refuses a token changed in any part, or signed with another key: tampered', () => {
    const token = signPushAction(claims, KEY);
    const [v, payload, signature] = token.split('.');
    const changed = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        t: '01JQ0000000000000000000009',
      }),
    ).toString('base64url');
    for (const bad of [
      `${v}.${changed}.${signature}`,
      `${v}.${payload}.${signature.slice(0, -2)}AA`,
      `${v}.${payload}.${signature.slice(0, 20)}`,
    ])
      expect(refusal(() => verifyPushAction(bad, { key: KEY, stage: 'dev', now: NOW }))[0]).toBe('tampered');
    expect(
      refusal(() => verifyPushAction(token, { key: Buffer.alloc(32, 6), stage: 'dev', now: NOW }))[0],
    ).toBe('tampered');
  });

  it('refuses another stage’s token and an expired one, in words', () => {
    const token = signPushAction(claims, KEY);
    expect(refusal(() => verifyPushAction(token, { key: KEY, stage: 'prod', now: NOW }))).toEqual([
      'wrong-stage',
      'this link is for stage "dev"; this console serves "prod"',
    ]);
    expect(
      refusal(() => verifyPushAction(token, { key: KEY, stage: 'dev', now: new Date(claims.expiresAt) })),
    ).toEqual(['expired', 'this link expired at 2026-03-01T12:01:00.000Z']);
  });

  it('refuses what is no token at all, and a signed one naming no action or no stored id', () => {
    for (const bad of ['', 'x', 'v2.a.b', 'v1.a', 'x'.repeat(2000)])
      expect(refusal(() => verifyPushAction(bad, { key: KEY, stage: 'dev', now: NOW }))[0]).toMatch(
        /malformed|tampered/,
      );
    const signed = (body: object) => {
      // Signed with the right key, so only its contents can be wrong.
      const good = signPushAction(claims, KEY).split('.');
      const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
      const { createHmac } = require('node:crypto') as typeof import('node:crypto');
      const mac = createHmac('sha256', KEY).update('rez-push-action.v1.').update(payload).digest('base64url');
      return `${good[0]}.${payload}.${mac}`;
    };
    const base = {
      a: 'acknowledge',
      t: claims.target,
      s: 'dev',
      p: claims.push,
      n: 'n'.repeat(22),
      e: claims.expiresAt,
    };
    for (const body of [
      { ...base, a: 'delete' },
      { ...base, t: '../../etc' },
      { ...base, s: 'qa' },
      { ...base, n: 'short' },
      { ...base, e: 'tomorrow' },
      { ...base, d: -1 },
    ])
      expect(refusal(() => verifyPushAction(signed(body), { key: KEY, stage: 'dev', now: NOW }))[0]).toBe(
        'malformed',
      );
    expect(verifyPushAction(signed(base), { key: KEY, stage: 'dev', now: NOW }).action).toBe('acknowledge');
  });

  it('will not sign with a key that is not 32 bytes', () => {
    expect(() => signPushAction(claims, Buffer.alloc(16))).toThrow(
      'the push action key must be 32 bytes, got 16',
    );
  });
});
