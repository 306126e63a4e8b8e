import type { GetMetricDataCommandInput, GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import { AdapterError, ValidationError } from '@rez/core';
import { readPipelineMetrics } from '../../src';

/** A hand-written CloudWatch client: records each command's input and answers from a script. */
function fakeCloudWatch(pages: Partial<GetMetricDataCommandOutput>[] | Error) {
  const inputs: GetMetricDataCommandInput[] = [];
  const client = {
    async send(command: { input: GetMetricDataCommandInput; constructor: { name: string } }) {
      if (command.constructor.name !== 'GetMetricDataCommand')
        throw new Error(`unexpected command ${command.constructor.name}`);
      inputs.push(command.input);
      if (pages instanceof Error) throw pages;
      return pages[inputs.length - 1] ?? { MetricDataResults: [] };
    },
  };
  return { client: client as unknown as Parameters<typeof readPipelineMetrics>[0]['client'], inputs };
}

const since = new Date('2026-03-01T10:00:00.000Z');
const until = new Date('2026-03-01T10:15:00.000Z');
const t = (minutes: number) => new Date(since.getTime() + minutes * 60_000);

describe('Function: readPipelineMetrics', () => {
  it("asks for the worker's three metrics, summed per period, with the service and stage dimensions", async () => {
    // Prepare
    const { client, inputs } = fakeCloudWatch([{ MetricDataResults: [] }]);

    // Act
    await readPipelineMetrics({ client, stage: 'prod', since, until, periodSeconds: 300 });

    // Assess
    expect(inputs).toHaveLength(1);
    const [input] = inputs;
    expect(input.StartTime).toEqual(since);
    expect(input.EndTime).toEqual(until);
    expect(input.MetricDataQueries?.map((q) => [q.Id, q.MetricStat?.Metric?.MetricName])).toEqual([
      ['received', 'MessagesReceived'],
      ['completed', 'MessagesCompleted'],
      ['failed', 'MessagesFailed'],
    ]);
    for (const query of input.MetricDataQueries ?? []) {
      expect(query.MetricStat).toMatchObject({
        Metric: {
          Namespace: 'RezAgent',
          Dimensions: [
            { Name: 'service', Value: 'rez-worker' },
            { Name: 'stage', Value: 'prod' },
          ],
        },
        Period: 300,
        Stat: 'Sum',
      });
    }
  });

  it('returns every period oldest first, merging the series and filling gaps with 0, across pages', async () => {
    // Prepare
    const { client, inputs } = fakeCloudWatch([
      {
        MetricDataResults: [
          { Id: 'received', Timestamps: [t(0), t(10)], Values: [4, 2], StatusCode: 'PartialData' },
          { Id: 'completed', Timestamps: [t(0)], Values: [3], StatusCode: 'PartialData' },
        ],
        NextToken: 'page-2',
      },
      {
        MetricDataResults: [{ Id: 'failed', Timestamps: [t(10)], Values: [1], StatusCode: 'Complete' }],
      },
    ]);

    // Act
    const points = await readPipelineMetrics({ client, namespace: 'Custom', stage: 'dev', since, until });

    // Assess
    expect(inputs.map((i) => i.NextToken)).toEqual([undefined, 'page-2']);
    expect(inputs[0].MetricDataQueries?.[0].MetricStat?.Metric?.Namespace).toBe('Custom');
    expect(points).toEqual([
      { time: '2026-03-01T10:00:00.000Z', received: 4, completed: 3, failed: 0 },
      { time: '2026-03-01T10:05:00.000Z', received: 0, completed: 0, failed: 0 },
      { time: '2026-03-01T10:10:00.000Z', received: 2, completed: 0, failed: 1 },
    ]);
  });

  it('widens the window to whole periods', async () => {
    // Prepare
    const { client, inputs } = fakeCloudWatch([{ MetricDataResults: [] }]);

    // Act
    const points = await readPipelineMetrics({
      client,
      stage: 'dev',
      since: t(1),
      until: t(6),
      periodSeconds: 300,
    });

    // Assess
    expect(inputs[0].StartTime).toEqual(t(0));
    expect(inputs[0].EndTime).toEqual(t(10));
    expect(points.map((p) => p.time)).toEqual(['2026-03-01T10:00:00.000Z', '2026-03-01T10:05:00.000Z']);
  });

  it('rejects a period that is not a multiple of 60 and a window that ends before it starts', async () => {
    // Prepare
    const { client, inputs } = fakeCloudWatch([]);

    // Act
    const error = await readPipelineMetrics({
      client,
      stage: 'dev',
      since: until,
      until: since,
      periodSeconds: 90,
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['periodSeconds', 'since']);
    expect(inputs).toHaveLength(0);
  });

  it('translates a failed call into AdapterError with the SDK error as cause', async () => {
    // Prepare
    const denied = Object.assign(new Error('not authorized to perform cloudwatch:GetMetricData'), {
      name: 'AccessDenied',
    });
    const { client } = fakeCloudWatch(denied);

    // Act
    const error = await readPipelineMetrics({ client, stage: 'dev', since, until }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).cause).toBe(denied);
    expect((error as AdapterError).message).toMatch(/CloudWatch GetMetricData failed: not authorized/);
  });

  it('reports a series CloudWatch could not read instead of returning zeros for it', async () => {
    // Prepare
    const { client } = fakeCloudWatch([
      {
        MetricDataResults: [
          { Id: 'failed', StatusCode: 'InternalError', Messages: [{ Value: 'try later' }] },
        ],
      },
    ]);

    // Act / Assess
    await expect(readPipelineMetrics({ client, stage: 'dev', since, until })).rejects.toThrow(
      /failed.*try later/,
    );
  });
});
