import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { AdapterError, type Stage, ValidationError } from '@rez/core';
import { METRICS_NAMESPACE, PIPELINE_METRICS, WORKER_SERVICE } from '../observability';

/** CloudWatch's own ceiling on data points per metric in one GetMetricData. */
const MAX_POINTS = 100_800;

export interface PipelineMetricsQuery {
  /** Anything with the CloudWatchClient `send` signature (a fake in tests). */
  client: Pick<CloudWatchClient, 'send'>;
  /** Default METRICS_NAMESPACE (RezAgent), where the worker writes. */
  namespace?: string;
  stage: Stage;
  since: Date;
  until: Date;
  /** Width of one point, a positive multiple of 60. Default 300. */
  periodSeconds?: number;
}

export interface PipelinePoint {
  /** Period start, RFC 3339 UTC. */
  time: string;
  received: number;
  completed: number;
  failed: number;
}

type Series = keyof typeof PIPELINE_METRICS;

/**
 * Messages received, completed and failed per period for one stage, from the
 * worker's CloudWatch metrics. The window is widened to whole periods and
 * every period in it is returned, oldest first, with 0 where CloudWatch had
 * no data (it omits empty periods).
 *
 * @example
 * const points = await readPipelineMetrics({
 *   client: createCloudWatchClient(),
 *   stage: 'prod',
 *   since: new Date(Date.now() - 3_600_000),
 *   until: new Date(),
 * });
 */
export async function readPipelineMetrics(query: PipelineMetricsQuery): Promise<PipelinePoint[]> {
  const period = query.periodSeconds ?? 300;
  const periodMs = period * 1000;
  const issues = [];
  if (!Number.isInteger(period) || period <= 0 || period % 60 !== 0)
    issues.push({ path: 'periodSeconds', message: `must be a positive multiple of 60, got ${period}` });
  if (!(query.since.getTime() < query.until.getTime()))
    issues.push({ path: 'since', message: 'must be before until' });
  if (issues.length === 0 && (query.until.getTime() - query.since.getTime()) / periodMs > MAX_POINTS)
    issues.push({
      path: 'periodSeconds',
      message: `gives more than ${MAX_POINTS} points; use a wider period`,
    });
  if (issues.length > 0) throw new ValidationError('pipeline metrics query', issues);

  const start = Math.floor(query.since.getTime() / periodMs) * periodMs;
  const end = Math.ceil(query.until.getTime() / periodMs) * periodMs;
  const dimensions = [
    { Name: 'service', Value: WORKER_SERVICE },
    { Name: 'stage', Value: query.stage },
  ];
  const queries: MetricDataQuery[] = (Object.keys(PIPELINE_METRICS) as Series[]).map((series) => ({
    Id: series,
    MetricStat: {
      Metric: {
        Namespace: query.namespace ?? METRICS_NAMESPACE,
        MetricName: PIPELINE_METRICS[series],
        Dimensions: dimensions,
      },
      Period: period,
      Stat: 'Sum',
    },
    ReturnData: true,
  }));

  const points = new Map<number, PipelinePoint>();
  for (let t = start; t < end; t += periodMs) {
    points.set(t, { time: new Date(t).toISOString(), received: 0, completed: 0, failed: 0 });
  }
  let nextToken: string | undefined;
  do {
    let page: GetMetricDataCommandOutput;
    try {
      page = await query.client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(start),
          EndTime: new Date(end),
          ScanBy: 'TimestampAscending',
          NextToken: nextToken,
        }),
      );
    } catch (error) {
      throw new AdapterError('CloudWatch', 'GetMetricData', error);
    }
    for (const result of page.MetricDataResults ?? []) {
      if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError') {
        const detail = result.Messages?.map((m) => m.Value).join('; ') || result.StatusCode;
        throw new AdapterError('CloudWatch', `GetMetricData for ${result.Id}`, new Error(detail));
      }
      const series = result.Id as Series;
      if (!(series in PIPELINE_METRICS)) continue;
      (result.Timestamps ?? []).forEach((timestamp, i) => {
        const point = points.get(Math.floor(timestamp.getTime() / periodMs) * periodMs);
        if (point) point[series] += result.Values?.[i] ?? 0;
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return [...points.values()];
}
