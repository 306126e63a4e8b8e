/**
 * The pipeline metrics on CloudWatch, opened on first use (see
 * openedOnFirstCall): imported as `@rez/aws/metrics-from-env` by the console.
 */

import type { PipelineMetricsQuery, PipelinePoint } from './metrics/pipeline-metrics';
import { openedOnFirstCall } from './on-first-call';

/** Reads the worker's pipeline metrics (see readPipelineMetrics) through a client of its own. */
export interface PipelineMetricsReader {
  read(query: Omit<PipelineMetricsQuery, 'client'>): Promise<PipelinePoint[]>;
}

/**
 * The pipeline metrics on CloudWatch; the client is built on the first read.
 *
 * @example
 * const points = await cloudWatchPipelineMetrics().read({ stage: 'prod', since, until });
 */
export function cloudWatchPipelineMetrics(): PipelineMetricsReader {
  return openedOnFirstCall(async () => (await import('./on-demand/cloudwatch')).openMetricsReader(), {
    read: true,
  });
}
