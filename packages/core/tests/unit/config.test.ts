import { ConfigError, readPositiveInt } from '@rez/core';

describe('Function: readPositiveInt', () => {
  it('reads decimal digits within the bound, and the fallback when unset', () => {
    expect(readPositiveInt({ N: '16' }, 'N', 4, 64)).toBe(16);
    expect(readPositiveInt({ N: ' 64 ' }, 'N', 4, 64)).toBe(64);
    expect(readPositiveInt({}, 'N', 4, 64)).toBe(4);
    expect(readPositiveInt({ N: '' }, 'N', 4, 64)).toBe(4);
  });

  it.each(['0', '65', '1000000000', '-1', '+3', '1.5', '1e1', '0x10', '16 lanes', '99999999999999999999'])(
    'refuses "%s", naming the variable and the range',
    (raw) => {
      expect(() => readPositiveInt({ REZ_POLLER_BATCHES: raw }, 'REZ_POLLER_BATCHES', 16, 64)).toThrow(
        new ConfigError('REZ_POLLER_BATCHES', `must be a whole number from 1 to 64, got "${raw}"`),
      );
    },
  );

  it('without a bound, still refuses what is not a positive whole number', () => {
    expect(() => readPositiveInt({ PORT: '-1' }, 'PORT', 3000)).toThrow(
      'configuration error: PORT must be a positive whole number, got "-1"',
    );
  });
});
