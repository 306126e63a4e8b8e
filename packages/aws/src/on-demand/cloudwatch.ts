/**
 * Loaded on the first metrics read (see from-env.ts): this module and the
 * CloudWatch client it pulls in stay out of a Lambda's cold start.
 */

import {
  type PipelineMetricsQuery,
  type PipelinePoint,
  readPipelineMetrics,
} from '../metrics/pipeline-metrics';
import { createCloudWatchClient } from '../sdk/cloudwatch';

export function openMetricsReader(): {
  read(query: Omit<PipelineMetricsQuery, 'client'>): Promise<PipelinePoint[]>;
} {
  const client = createCloudWatchClient();
  return { read: (query) => readPipelineMetrics({ ...query, client }) };
}
