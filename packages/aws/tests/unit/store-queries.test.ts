import { ValidationError } from '@rez/core';
import { decodeCursor, encodeCursor } from '../../src/store/items';
import { pickIndex } from '../../src/store/queries';

describe('Function: pickIndex', () => {
  it("uses by-stage on the adapter's stage when no filter is given", () => {
    // Act / Assess
    expect(pickIndex({}, 'prod')).toEqual({ index: 'by-stage', key: 'stage', value: 'prod', filters: {} });
  });

  it('keys on the most selective filter and filters on the rest', () => {
    // Act / Assess
    expect(
      pickIndex({ stage: 'dev', type: 'notify', status: 'failed', created_by: 'web:ana' }, 'dev'),
    ).toEqual({
      index: 'by-creator',
      key: 'created_by',
      value: 'web:ana',
      filters: { stage: 'dev', type: 'notify', status: 'failed' },
    });
    expect(pickIndex({ stage: 'dev', type: 'notify', status: 'failed' }, 'dev')).toMatchObject({
      index: 'by-status',
      filters: { stage: 'dev', type: 'notify' },
    });
    expect(pickIndex({ stage: 'prod', type: 'notify' }, 'dev')).toMatchObject({
      index: 'by-type',
      filters: { stage: 'prod' },
    });
    expect(pickIndex({ stage: 'prod' }, 'dev')).toMatchObject({
      index: 'by-stage',
      value: 'prod',
      filters: {},
    });
  });
});

describe('Function: encodeCursor / decodeCursor', () => {
  it('round-trips a created_key through an opaque URL-safe string', () => {
    // Prepare
    const key = '2026-03-01T10:00:00.000Z#01JQ0000000000000000000000';

    // Act
    const cursor = encodeCursor(key);

    // Assess
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toBe(key);
  });

  it('rejects a cursor the store did not issue', () => {
    // Act / Assess
    expect(() => decodeCursor('garbage')).toThrow(ValidationError);
  });
});
