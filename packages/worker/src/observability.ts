/** The slice of a logger the worker uses; Powertools Logger fits it. */
export interface WorkerLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export const silentLogger: WorkerLogger = { info() {}, warn() {}, error() {} };

export type PipelineEvent = 'received' | 'completed' | 'failed';

/** Counts pipeline events; on AWS, CloudWatch EMF through Powertools Metrics. */
export interface PipelineMetrics {
  record(event: PipelineEvent, type: string): void;
  /** Called once at the end of every invocation. */
  flush(): void;
}

export const noopMetrics: PipelineMetrics = { record() {}, flush() {} };

/** Metric names the worker emits and the console reads back (namespace RezAgent). */
export const METRIC_NAMES: Record<PipelineEvent, string> = {
  received: 'MessagesReceived',
  completed: 'MessagesCompleted',
  failed: 'MessagesFailed',
};
