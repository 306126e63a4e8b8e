import { randomUUID } from 'node:crypto';
import { type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { createCloudWatchClient, readPipelineMetrics, WORKER_SERVICE } from '@rez/aws';

/** moto's endpoint, from test/peers/global-setup.ts. */
function motoEndpoint(): string {
  const endpoint = process.env.REZ_TEST_MOTO_ENDPOINT;
  if (!endpoint)
    throw new Error('REZ_TEST_MOTO_ENDPOINT is not set: run these tests with npm run test:peers');
  return endpoint;
}

describe('Function: readPipelineMetrics (CloudWatch GetMetricData on moto)', () => {
  const client = createCloudWatchClient({ endpoint: motoEndpoint(), region: 'us-east-1' });
  afterAll(() => client.destroy());

  it('reads back what the worker put, summed per period, for its service and stage only', async () => {
    // Prepare: three periods of five minutes ending at the last whole period; a namespace of this test's own.
    const period = 300_000;
    const since = new Date(Math.floor(Date.now() / period) * period - 3 * period);
    const until = new Date(since.getTime() + 3 * period);
    const at = (minutes: number) => new Date(since.getTime() + minutes * 60_000);
    const namespace = `RezAgent-${randomUUID().slice(0, 8)}`;
    const datum = (
      MetricName: string,
      Value: number,
      Timestamp: Date,
      stage = 'dev',
      service = WORKER_SERVICE,
    ) =>
      ({
        MetricName,
        Value,
        Timestamp,
        Unit: 'Count',
        Dimensions: [
          { Name: 'service', Value: service },
          { Name: 'stage', Value: stage },
        ],
      }) satisfies MetricDatum;
    await client.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: [
          datum('MessagesReceived', 5, at(1)),
          datum('MessagesReceived', 2, at(3)),
          datum('MessagesCompleted', 6, at(4)),
          datum('MessagesFailed', 1, at(11)),
          datum('MessagesReceived', 100, at(1), 'prod'),
          datum('MessagesReceived', 100, at(1), 'dev', 'someone-else'),
        ],
      }),
    );

    // Act
    const points = await readPipelineMetrics({
      client,
      namespace,
      stage: 'dev',
      since,
      until,
      periodSeconds: 300,
    });

    // Assess: the middle period had no data and reads 0; prod and the other service are not counted.
    expect(points).toEqual([
      { time: since.toISOString(), received: 7, completed: 6, failed: 0 },
      { time: at(5).toISOString(), received: 0, completed: 0, failed: 0 },
      { time: at(10).toISOString(), received: 0, completed: 0, failed: 1 },
    ]);
  });
});
