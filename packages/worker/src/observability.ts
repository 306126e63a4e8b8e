/** The slice of a logger the worker uses; on AWS, @rez/aws createJsonLogger. */
export interface WorkerLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export const silentLogger: WorkerLogger = { info() {}, warn() {}, error() {} };

export type PipelineEvent = 'received' | 'completed' | 'failed';

/**
 * Counts pipeline events; on AWS, CloudWatch EMF (@rez/aws createEmfCounters,
 * named by PIPELINE_METRICS).
 */
export interface PipelineMetrics {
  record(event: PipelineEvent, type: string): void;
  /** Called once at the end of every invocation. */
  flush(): void;
}

export const noopMetrics: PipelineMetrics = { record() {}, flush() {} };
