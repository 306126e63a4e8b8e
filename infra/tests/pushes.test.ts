/**
 * Pushes within ntfy's limits, as the mocked program declares them: the
 * worker's SQS event source mapping is capped (a backlog never fans out into
 * a crowd of Lambdas all pushing at once), and the one thing that paces
 * sends is the shared budget — the worker's ntfy settings over the stage's
 * table, which the console and the scheduler's sweep read too — not
 * Lambda's own throttling. Pushes
 * link to the console's CloudFront URL, and their buttons' key is a secret
 * both functions read from SSM.
 */
import { ConfigError } from '@rez/core';
import { loadConfig } from '../config';
import { installMocks, one, plain, runStage, type StageRun, stackConfig, TEST_SECRETS } from './harness';

const runs: Record<string, StageRun> = {};
beforeAll(async () => {
  runs.dev = await runStage('dev');
  runs.prod = await runStage('prod', {
    'rez:workerMaxConcurrency': '5',
    'rez:ntfyLimits': 'burst=60,refill=5s,daily=2500',
    'rez:pushActionTtlHours': '12',
    'rez:snoozeHours': '48',
  });
});

const env = (run: StageRun, fn: string) =>
  plain(
    one(run.recorded, 'aws:lambda/function:Function', `rez-${run.config.stage}-${fn}-function`).inputs
      .environment,
  ).variables as Record<string, string>;

describe('No stampede: the worker’s event source mapping is capped', () => {
  it('runs at most 2 worker invocations at once by default, and what the stage sets otherwise', () => {
    for (const [stage, cap] of [
      ['dev', 2],
      ['prod', 5],
    ] as const) {
      const mapping = one(
        runs[stage].recorded,
        'aws:lambda/eventSourceMapping:EventSourceMapping',
        `rez-${stage}-worker-queue-mapping`,
      );
      expect(mapping.inputs.scalingConfig).toEqual({ maximumConcurrency: cap });
    }
  });

  it('refuses a cap under AWS’s floor of 2, naming the key', () => {
    installMocks('dev', { ...stackConfig('dev'), ...TEST_SECRETS, 'rez:workerMaxConcurrency': '1' });
    expect(() => loadConfig('dev')).toThrow(
      new ConfigError('rez:workerMaxConcurrency', 'must be a whole number from 2 to 1000, got "1"'),
    );
  });

  it('leaves Lambda’s own throttling out of it: the shared budget is what paces pushes', () => {
    for (const run of Object.values(runs)) {
      const worker = one(
        run.recorded,
        'aws:lambda/function:Function',
        `rez-${run.config.stage}-worker-function`,
      );
      expect(worker.inputs.reservedConcurrentExecutions).toBeUndefined();
      const workerEnv = env(run, 'worker');
      // One budget: the same ntfy server, topic and limits over the same table, for the worker that
      // spends it, the console that shows it and the scheduler whose runs sweep held pushes.
      for (const fn of ['web', 'scheduler']) {
        const other = env(run, fn);
        for (const name of ['NTFY_BASE_URL', 'NTFY_TOPIC', 'NTFY_LIMITS', 'REZ_MESSAGES_TABLE'])
          expect({ fn, name, value: other[name] }).toEqual({ fn, name, value: workerEnv[name] });
      }
    }
    expect(env(runs.prod, 'worker').NTFY_LIMITS).toBe('burst=60,refill=5s,daily=2500');
    expect(env(runs.dev, 'worker').NTFY_LIMITS).toBeUndefined(); // ntfy.sh's free tier, by the server
  });

  it('refuses limits it cannot read, naming rez:ntfyLimits', () => {
    installMocks('dev', { ...stackConfig('dev'), ...TEST_SECRETS, 'rez:ntfyLimits': 'fast' });
    expect(() => loadConfig('dev')).toThrow(/rez:ntfyLimits "fast" is not burst=N/);
  });
});

describe('Pushes link to the console and carry signed buttons', () => {
  it('gives the worker the console’s URL, the buttons’ settings and the queue’s receive count', async () => {
    const run = runs.prod;
    const worker = env(run, 'worker');
    const consoleUrl = await new Promise((resolve) => run.outputs.consoleUrl.apply(resolve));
    expect(worker.REZ_PUBLIC_URL).toBe(consoleUrl);
    expect(worker).toMatchObject({
      REZ_PUSH_ACTIONS: 'true',
      REZ_PUSH_ACTION_TTL_HOURS: '12',
      REZ_SNOOZE_HOURS: '48',
      REZ_BUILT_IN_SCHEDULES: 'hello-world',
      REZ_MAX_RECEIVE_COUNT: '5',
      REZ_ACTION_KEY_PARAMETER: expect.stringMatching(/^\/rez\/prod\/action-key:/),
    });
    expect(env(run, 'web')).toMatchObject({
      REZ_PUSH_ACTIONS: 'true',
      REZ_ACTION_KEY_PARAMETER: worker.REZ_ACTION_KEY_PARAMETER,
    });
  });
});
