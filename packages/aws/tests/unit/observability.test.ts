import {
  createEmfCounters,
  createJsonLogger,
  METRICS_NAMESPACE,
  PIPELINE_METRICS,
  WORKER_SERVICE,
} from '@rez/aws';

const at = new Date('2026-11-30T00:03:59.511Z');

function capture() {
  const lines: string[] = [];
  return { lines, write: (line: string) => lines.push(line), parsed: () => lines.map((l) => JSON.parse(l)) };
}

describe('Function: createJsonLogger', () => {
  const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

  it('writes one JSON line per entry: level, message, time, service, trace, the function keys, then its own', () => {
    const out = capture();
    const logger = createJsonLogger({
      service: WORKER_SERVICE,
      keys: { stage: 'dev' },
      env: { _X_AMZN_TRACE_ID: trace },
      write: out.write,
      now: () => at,
    });
    logger.info('message processed', { messageId: 'x', outcome: 'completed' });
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0].endsWith('}\n')).toBe(true);
    expect(out.lines[0]).toBe(
      `${JSON.stringify({
        level: 'INFO',
        message: 'message processed',
        timestamp: '2026-11-30T00:03:59.511Z',
        service: 'rez-worker',
        xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
        stage: 'dev',
        messageId: 'x',
        outcome: 'completed',
      })}\n`,
    );
  });

  it('keeps what an Error says (JSON.stringify alone writes {}) and writes a bigint as a string', () => {
    const out = capture();
    const logger = createJsonLogger({ service: 's', env: {}, write: out.write });
    logger.error('message failed', { err: new TypeError('bad', { cause: 'why' }), n: 10n });
    const [line] = out.parsed();
    expect(line.err).toMatchObject({ name: 'TypeError', message: 'bad', cause: 'why' });
    expect(line.err.stack).toMatch(/^TypeError: bad/);
    expect(line.n).toBe('10');
    expect(line).not.toHaveProperty('xray_trace_id');
  });

  it('still writes the entry, saying why, when its extra cannot be serialized (a cycle)', () => {
    const out = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    createJsonLogger({ service: 's', env: {}, write: out.write }).warn('odd', { cyclic });
    const [line] = out.parsed();
    expect(line).toMatchObject({ level: 'WARN', message: 'odd', service: 's' });
    expect(line.log_error).toMatch(/circular/i);
  });

  it.each([
    [{}, ['INFO', 'WARN', 'ERROR']],
    [{ AWS_LAMBDA_LOG_LEVEL: 'WARN' }, ['WARN', 'ERROR']],
    [{ AWS_LAMBDA_LOG_LEVEL: 'debug' }, ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    [{ LOG_LEVEL: 'ERROR' }, ['ERROR']],
    [{ AWS_LAMBDA_LOG_LEVEL: 'nonsense' }, ['INFO', 'WARN', 'ERROR']],
  ])('with %j writes %j', (env, levels) => {
    const out = capture();
    const logger = createJsonLogger({ service: 's', env, write: out.write });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(out.parsed().map((line) => line.level)).toEqual(levels);
  });
});

describe('Function: createEmfCounters', () => {
  const devCounters = (write: (line: string) => void) =>
    createEmfCounters({ namespace: 'N', service: 'svc', dimensions: { stage: 'dev' }, write });

  it('flushes one EMF line: every counter with unit Count under [service, stage], summed since the last flush', () => {
    const out = capture();
    const metrics = createEmfCounters({
      namespace: METRICS_NAMESPACE,
      service: WORKER_SERVICE,
      dimensions: { stage: 'prod' },
      write: out.write,
      now: () => at,
    });
    metrics.add(PIPELINE_METRICS.received);
    metrics.add(PIPELINE_METRICS.received);
    metrics.add(PIPELINE_METRICS.completed);
    metrics.flush();
    expect(out.parsed()).toEqual([
      {
        _aws: {
          Timestamp: at.getTime(),
          CloudWatchMetrics: [
            {
              Namespace: 'RezAgent',
              Dimensions: [['service', 'stage']],
              Metrics: [
                { Name: 'MessagesReceived', Unit: 'Count' },
                { Name: 'MessagesCompleted', Unit: 'Count' },
              ],
            },
          ],
        },
        service: 'rez-worker',
        stage: 'prod',
        MessagesReceived: 2,
        MessagesCompleted: 1,
      },
    ]);
  });

  it('declares only what it holds: every declared metric and dimension has its value on the line (EMF requires it)', () => {
    const out = capture();
    const metrics = devCounters(out.write);
    metrics.add(PIPELINE_METRICS.failed, 3);
    metrics.flush();
    const [line] = out.parsed();
    const [directive] = line._aws.CloudWatchMetrics;
    for (const name of directive.Dimensions.flat()) expect(typeof line[name]).toBe('string');
    for (const { Name } of directive.Metrics) expect(typeof line[Name]).toBe('number');
    expect(line.MessagesFailed).toBe(3);
  });

  it('writes nothing when nothing was added, and starts again after each flush', () => {
    const out = capture();
    const metrics = devCounters(out.write);
    metrics.flush();
    expect(out.lines).toEqual([]);
    metrics.add('A');
    metrics.flush();
    metrics.flush();
    metrics.add('B');
    metrics.flush();
    expect(out.parsed().map((line) => [line.A, line.B])).toEqual([
      [1, undefined],
      [undefined, 1],
    ]);
  });
});
