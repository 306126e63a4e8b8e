/**
 * What the Lambdas write to CloudWatch Logs, imported as
 * `@rez/aws/observability`: structured log lines and the worker's pipeline
 * counters as CloudWatch Embedded Metric Format (EMF). Both are one JSON
 * line on stdout, written directly — not through `console`, which Lambda's
 * JSON log format would wrap in an object of its own (and EMF must arrive as
 * the line itself for CloudWatch to extract the metrics).
 *
 * The shapes are those Powertools Logger and Metrics wrote before them
 * (`level`, `message`, `timestamp`, `service`, `xray_trace_id`, the
 * function's keys, then the entry's own; EMF's `_aws` block with the
 * dimension set [service, stage]), so log queries and the console's metric
 * reads (readPipelineMetrics) did not change. Not Powertools itself: its
 * Logger and Metrics took about a third of the time the worker's own code
 * takes to load at a cold start (issue 13; bench: bundles suite), for a
 * few log calls and three counters.
 */

/** The CloudWatch namespace of the pipeline's metrics. */
export const METRICS_NAMESPACE = 'RezAgent';

/** The worker's `service`: on its log lines, and the dimension its metrics carry beside `stage`. */
export const WORKER_SERVICE = 'rez-worker';

/** The counters the worker emits (EMF), by the series name the console reads them under (readPipelineMetrics). */
export const PIPELINE_METRICS = {
  received: 'MessagesReceived',
  completed: 'MessagesCompleted',
  failed: 'MessagesFailed',
} as const;

/** Log levels, least to most severe, as Lambda's `AWS_LAMBDA_LOG_LEVEL` names them. */
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
type Level = (typeof LEVELS)[number];

export interface JsonLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface JsonLoggerOptions {
  /** `service` on every line (rez-worker, rez-scheduler). */
  service: string;
  /** Keys on every line, after `service` (the stage). */
  keys?: Record<string, unknown>;
  /**
   * Reads the threshold from `AWS_LAMBDA_LOG_LEVEL` (what the function's
   * logging config sets), then `LOG_LEVEL`, default INFO; and the X-Ray trace
   * id from `_X_AMZN_TRACE_ID`, per line.
   */
  env?: NodeJS.ProcessEnv;
  /** Where a line goes (with its newline); stdout by default. */
  write?: (line: string) => void;
  now?: () => Date;
}

const toStdout = (line: string) => {
  process.stdout.write(line);
};

/**
 * One JSON line per entry at or above the threshold.
 *
 * @example
 * const logger = createJsonLogger({ service: 'rez-worker', keys: { stage } });
 * logger.info('message processed', { messageId, outcome: 'completed' });
 */
export function createJsonLogger(options: JsonLoggerOptions): JsonLogger {
  const env = options.env ?? process.env;
  const write = options.write ?? toStdout;
  const now = options.now ?? (() => new Date());
  const threshold = levelOf(env.AWS_LAMBDA_LOG_LEVEL ?? env.LOG_LEVEL);
  const entry =
    (level: Level) =>
    (message: string, extra: Record<string, unknown> = {}): void => {
      if (LEVELS.indexOf(level) < LEVELS.indexOf(threshold)) return;
      const trace = /(?:^|;)Root=([^;]+)/.exec(env._X_AMZN_TRACE_ID ?? '')?.[1];
      const line = {
        level,
        message,
        timestamp: now().toISOString(),
        service: options.service,
        ...(trace ? { xray_trace_id: trace } : {}),
        ...options.keys,
        ...extra,
      };
      let text: string;
      try {
        text = JSON.stringify(line, jsonValue);
      } catch (error) {
        // A circular extra must not turn a log call into a failure of the work it describes.
        const { timestamp, service } = line;
        text = JSON.stringify({ level, message, timestamp, service, log_error: String(error) });
      }
      write(`${text}\n`);
    };
  return { debug: entry('DEBUG'), info: entry('INFO'), warn: entry('WARN'), error: entry('ERROR') };
}

function levelOf(value: string | undefined): Level {
  const upper = value?.trim().toUpperCase();
  if (upper === 'WARNING') return 'WARN';
  return LEVELS.find((level) => level === upper) ?? 'INFO';
}

/** Errors as their name, message, stack and cause (JSON.stringify writes `{}` for one); bigints as strings. */
function jsonValue(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return {
      name: value.name,
      message: value.message,
      stack: value.stack,
      ...(value.cause === undefined ? {} : { cause: value.cause }),
    };
  }
  return typeof value === 'bigint' ? value.toString() : value;
}

export interface EmfCounters {
  /** Adds `value` (default 1) to the counter `name`. */
  add(name: string, value?: number): void;
  /** Writes what was added since the last flush as one EMF line, and starts again; nothing when nothing was added. */
  flush(): void;
}

export interface EmfCountersOptions {
  /** CloudWatch namespace (RezAgent). */
  namespace: string;
  /** The `service` dimension. */
  service: string;
  /** Further dimensions, all in one dimension set with `service` (the stage). */
  dimensions: Record<string, string>;
  write?: (line: string) => void;
  now?: () => Date;
}

/**
 * Count metrics in CloudWatch Embedded Metric Format: each flush writes one
 * line whose `_aws` block declares every counter with unit Count under one
 * dimension set (service and the given dimensions), and whose top-level
 * fields hold the dimensions' values and each counter's sum since the last
 * flush. CloudWatch turns the line into one data point per counter.
 *
 * @example
 * const metrics = createEmfCounters({ namespace: 'RezAgent', service: 'rez-worker', dimensions: { stage } });
 * metrics.add('MessagesReceived');
 * metrics.flush(); // at the end of the invocation
 */
export function createEmfCounters(options: EmfCountersOptions): EmfCounters {
  const write = options.write ?? toStdout;
  const now = options.now ?? (() => new Date());
  const counts = new Map<string, number>();
  return {
    add(name, value = 1) {
      counts.set(name, (counts.get(name) ?? 0) + value);
    },
    flush() {
      if (counts.size === 0) return;
      const line = {
        _aws: {
          Timestamp: now().getTime(),
          CloudWatchMetrics: [
            {
              Namespace: options.namespace,
              Dimensions: [['service', ...Object.keys(options.dimensions)]],
              Metrics: [...counts.keys()].map((Name) => ({ Name, Unit: 'Count' })),
            },
          ],
        },
        service: options.service,
        ...options.dimensions,
        ...Object.fromEntries(counts),
      };
      counts.clear();
      write(`${JSON.stringify(line)}\n`);
    },
  };
}
