import { sessionSealer } from '../../src/session/seal';

const KEY_A = Buffer.alloc(32, 1);
const KEY_B = Buffer.alloc(32, 2);
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const TTL = 3600;

/** Flips one bit of the sealed bytes at `index` (negative: from the end). */
function flip(text: string, index: number): string {
  const [version, body] = text.split('.');
  const bytes = Buffer.from(body, 'base64url');
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] ^= 0x01;
  return `${version}.${bytes.toString('base64url')}`;
}

describe('Function: sessionSealer', () => {
  describe('Method: seal / open', () => {
    it('opens what it sealed, as a cookie-safe v1 text, with a fresh nonce every time', () => {
      const sealer = sessionSealer([KEY_A], TTL);
      const data = { user: { handle: 'ana', name: 'Ana', subject: 's' }, expiresAt: NOW + 1 };

      const first = sealer.seal(data, NOW);
      const second = sealer.seal(data, NOW);

      expect(first).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
      expect(second).not.toBe(first);
      expect(sealer.open(first, NOW)).toEqual(data);
      expect(JSON.stringify(first)).not.toContain('ana');
    });

    it.each([
      ['the nonce', 0],
      ['the ciphertext', 14],
      ['the tag', -1],
    ])('opens nothing when one bit of %s was changed', (_part, index) => {
      const sealer = sessionSealer([KEY_A], TTL);
      expect(sealer.open(flip(sealer.seal({ _csrf: 'secret' }, NOW), index), NOW)).toBeNull();
    });

    it('opens nothing sealed under a key it does not hold', () => {
      const foreign = sessionSealer([KEY_B], TTL).seal({ _csrf: 'x' }, NOW);
      expect(sessionSealer([KEY_A], TTL).open(foreign, NOW)).toBeNull();
    });

    it('seals with the first key and opens with any: keys rotate', () => {
      const old = sessionSealer([KEY_B], TTL).seal({ _csrf: 'old' }, NOW);
      const rotated = sessionSealer([KEY_A, KEY_B], TTL);
      expect(rotated.open(old, NOW)).toEqual({ _csrf: 'old' });
      const fresh = rotated.seal({ _csrf: 'new' }, NOW);
      expect(sessionSealer([KEY_A], TTL).open(fresh, NOW)).toEqual({ _csrf: 'new' });
      expect(sessionSealer([KEY_B], TTL).open(fresh, NOW)).toBeNull();
    });

    it('opens nothing once the seal has expired, whatever the browser kept', () => {
      const sealer = sessionSealer([KEY_A], TTL);
      const text = sealer.seal({ _csrf: 'x' }, NOW);
      expect(sealer.open(text, NOW + TTL * 1000 - 1)).toEqual({ _csrf: 'x' });
      expect(sealer.open(text, NOW + TTL * 1000)).toBeNull();
    });

    it.each([
      '',
      'v1',
      'v1.',
      'v2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'v1.!!!!',
      'v1.AAAA',
      `v1.${Buffer.alloc(64).toString('base64url')}`,
      'Fe26.2**not-ours',
    ])('opens nothing, without throwing, from the malformed %p', (text) => {
      expect(sessionSealer([KEY_A], TTL).open(text, NOW)).toBeNull();
    });

    it('refuses keys that are not 32 bytes, naming which', () => {
      expect(() => sessionSealer([KEY_A, Buffer.alloc(16)], TTL)).toThrow(
        'session key 2 must be 32 bytes, got 16',
      );
      expect(() => sessionSealer([], TTL)).toThrow('at least one key');
    });
  });
});
