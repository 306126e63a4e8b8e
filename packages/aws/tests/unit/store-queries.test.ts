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
