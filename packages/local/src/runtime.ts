import {
  builtInRegistry,
  type Clock,
  type Env,
  type Notifier,
  NtfyClient,
  optionalEnv,
  readActionKey,
  systemClock,
  UserSchedules,
  ulidGenerator,
} from '@rez/core';
import { createSchedulerHandler } from '@rez/scheduler';
import { createWorkerHandler, type PushSettings, pushDeps, type WorkerLogger } from '@rez/worker';
import { type LocalConfig, readLocalConfig } from './config';
import { startLocalConsole } from './console';
import { DatabaseOpenError, isSqliteError } from './errors';
import { type LocalPipeline, openLocalPipeline } from './pipeline';
import { type BatchHandler, Poller } from './poller';
import { lockDataDir, type RuntimeLock } from './runtime-lock';
import { SchedulerLoop } from './scheduler-loop';
import { readActionKeyFile } from './session-key';
import { SqliteUserScheduleStore } from './sqlite/schedule-store';
import { oneLine } from './terminal';
import { WorkerThreads } from './worker-thread/host';

export interface LocalRuntimeOptions {
  /** Environment to read the config from (default process.env). */
  env?: Env;
  /** Resolves a relative REZ_DATA_DIR (default process.cwd()). */
  cwd?: string;
  /** Replaces the ntfy client (tests; the worker handler then runs on the main thread). */
  notifier?: Notifier;
  /** Replaces the system clock (tests; the worker handler then runs on the main thread). */
  clock?: Clock;
  /**
   * Run the worker Lambda's handler in a worker thread (default: yes, unless a
   * notifier or clock is given — objects that cannot cross threads).
   */
  workerThread?: boolean;
  /** Backoff of failed records (default 2^receiveCount s, capped). */
  backoffSeconds?: (receiveCount: number) => number;
  /** Start the scheduler loop (default true). */
  scheduler?: boolean;
  /** Start the poller (default true). */
  poller?: boolean;
  /** Start the web console (default true). */
  console?: boolean;
  /** Where status lines go (default console.log): one line each, control characters escaped. */
  log?: (line: string) => void;
}

export interface LocalRuntime {
  config: LocalConfig;
  bus: LocalPipeline['bus'];
  queue: LocalPipeline['queue'];
  store: LocalPipeline['store'];
  publisher: LocalPipeline['publisher'];
  scheduler: SchedulerLoop;
  /** The user schedules (the console's Schedules page and the CLI manage the same ones). */
  userSchedules: UserSchedules;
  poller: Poller;
  /** The console's URL, or null when it is not running. */
  consoleUrl: string | null;
  /** The development sign-in account, when the console uses the dev OpenID provider. */
  consoleAccount: { email: string; password: string } | null;
  /** Stops receiving and scheduling, waits for in-flight batches (bounded), closes the database. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

/**
 * Rez on one machine: the SQLite bus and store, the poller feeding the
 * worker Lambda's handler, the scheduler loop invoking the scheduler
 * Lambda's handler — the same handler code as on AWS, with embedded adapters.
 *
 * @example
 * const rez = await startLocalRuntime({ env: { ...process.env, REZ_DATA_DIR: '/tmp/rez' } });
 * await rez.scheduler.runNow('hello-world');
 * await rez.stop();
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const config = readLocalConfig(options.env ?? process.env, options.cwd);
  // Every status line is one line, with no control character in it: many carry
  // text from outside (ntfy's error text, a schedule's name).
  const print = options.log ?? ((line: string) => console.log(line));
  const log = (line: string) => print(oneLine(line));
  const lock = lockDataDir(config.dataDir);
  const started: (() => unknown)[] = [() => lock.release()];
  try {
    return await start(config, options, log, (close) => started.push(close), lock);
  } catch (error) {
    // Nothing half-started stays behind; the latest first.
    for (const close of started.reverse())
      await Promise.resolve()
        .then(close)
        .catch(() => {});
    // A damaged database shows where a statement first touches the damage, wherever that is.
    throw isSqliteError(error) ? new DatabaseOpenError(config.dbFile, error) : error;
  }
}

/** Starts every part; `opened` is told how to close each as soon as it exists. */
async function start(
  config: LocalConfig,
  options: LocalRuntimeOptions,
  log: (line: string) => void,
  opened: (close: () => unknown) => void,
  lock: RuntimeLock,
): Promise<LocalRuntime> {
  const clock = options.clock ?? systemClock;
  const pipeline = openLocalPipeline({
    dbFile: config.dbFile,
    synchronous: config.synchronous,
    ...config.poller,
    backgroundCheckpoints: true,
  });
  opened(() => pipeline.close());
  const { store, publisher, queue, pushState } = pipeline;
  const registry = builtInRegistry();
  const env = options.env ?? process.env;
  const actionKey = readLocalActionKey(env, config);
  const push: PushSettings = {
    ntfy: config.ntfy,
    limits: config.push.limits,
    publicUrl: config.publicUrl,
    actions: actionKey
      ? {
          key: actionKey,
          ttlMs: config.push.actions.ttlMs,
          snoozeMs: config.push.actions.snoozeMs,
          builtInSchedules: config.schedules.map((s) => s.name),
        }
      : undefined,
  };
  const inThread = options.workerThread ?? (options.notifier === undefined && options.clock === undefined);
  if (inThread && (options.notifier || options.clock))
    throw new Error('workerThread: a notifier or clock object cannot cross to the worker thread');

  queue.onDeadLetter = (letter) =>
    log(
      `rez: message ${letter.transportId} moved to the dead-letter queue after ${letter.receiveCount} receive${letter.receiveCount === 1 ? '' : 's'}; see \`npm run rez -- failed\``,
    );
  const poller = new Poller({
    queue,
    concurrency: config.poller.concurrency,
    visibilityTimeoutSeconds: config.poller.visibilityTimeoutSeconds,
    backoffSeconds: options.backoffSeconds,
    onError: (error) => log(`rez: poller error: ${error instanceof Error ? error.message : String(error)}`),
  });
  // The claim's lease must lapse by the time the queue redelivers, or a
  // copy orphaned by a crash would be refused as "busy" until the DLQ.
  const leaseMs = Math.max(1000, config.poller.visibilityTimeoutSeconds * 1000 - 1000);
  const ntfyOptions = { baseUrl: config.ntfy.baseUrl, topic: config.ntfy.topic, token: config.ntfy.token };
  const thread =
    inThread && options.poller !== false
      ? new WorkerThreads({
          threads: config.workerThreads,
          ntfy: ntfyOptions,
          stage: config.stage,
          leaseMs,
          maxReceiveCount: config.poller.maxReceiveCount,
          push: {
            limits: push.limits,
            publicUrl: push.publicUrl,
            actions: push.actions && {
              ...push.actions,
              key: push.actions.key.toString('base64'),
              builtInSchedules: [...push.actions.builtInSchedules],
            },
          },
          store,
          pushState,
          bus: publisher,
          delayRedelivery: poller.delayRedelivery,
          deadLetter: poller.deadLetter,
          log,
        })
      : undefined;
  const ntfy = inThread || options.notifier ? undefined : new NtfyClient(ntfyOptions);
  opened(() => ntfy?.close());
  opened(() => thread?.stop());
  /** What the inline worker's push services and the main thread's sweep share. */
  const pushBase = () => ({
    store,
    state: pushState,
    bus: publisher,
    registry,
    clock,
    ids: ulidGenerator(),
    stage: config.stage,
  });
  const inlineWorker = (): BatchHandler => {
    const logger: WorkerLogger = {
      info() {},
      warn: (message, extra) => log(`rez: ${message} ${JSON.stringify(extra)}`),
      error: (message, extra) => log(`rez: ${message} ${JSON.stringify(extra)}`),
    };
    return createWorkerHandler({
      registry,
      store,
      bus: publisher,
      clock,
      stage: config.stage,
      leaseMs,
      logger,
      delayRedelivery: poller.delayRedelivery,
      deadLetter: poller.deadLetter,
      maxReceiveCount: config.poller.maxReceiveCount,
      ...pushDeps(
        {
          ...pushBase(),
          notifier: options.notifier ?? (ntfy as Notifier),
          onError: (what, error) => log(`rez: could not do ${what}: ${String(error)}`),
        },
        push,
      ),
    });
  };
  const schedules = new SqliteUserScheduleStore(pipeline.db);
  const userSchedules = new UserSchedules({
    schedules,
    store,
    bus: publisher,
    registry,
    clock,
    ids: ulidGenerator(),
    stage: config.stage,
    builtIn: config.schedules,
    limit: config.userScheduleLimit,
  });
  const schedulerHandler = createSchedulerHandler({
    registry,
    store,
    bus: publisher,
    clock,
    ids: ulidGenerator(),
    stage: config.stage,
    schedules,
  });
  // The main thread's own push services: only for the sweep (the worker threads have theirs).
  const { push: sweeper } = pushDeps(
    {
      ...pushBase(),
      notifier: { publish: () => Promise.reject(new Error('the sweep sends nothing itself')) },
    },
    push,
  );
  const scheduler = new SchedulerLoop({
    db: pipeline.db,
    sweep: () => sweeper.sweepHeld(),
    schedules: config.schedules,
    userSchedules: schedules,
    invoke: schedulerHandler,
    clock,
    onFired: (name, result) =>
      log(
        result.id
          ? `rez: schedule ${name} fired: message ${result.id} (${result.type})`
          : `rez: schedule ${name} did not fire: ${result.refused}`,
      ),
    onError: (name, error) =>
      log(`rez: schedule ${name} failed: ${error instanceof Error ? error.message : String(error)}`),
  });

  if (options.poller !== false) {
    opened(() => poller.stop(5_000));
    if (thread) {
      thread.start();
      poller.startDelivering(thread.deliver);
    } else poller.start(inlineWorker());
  }
  opened(() => scheduler.stop());
  if (options.scheduler !== false) scheduler.start();
  const consoleHandle =
    options.console === false
      ? null
      : await startLocalConsole({
          env,
          config,
          pipeline,
          scheduler,
          userSchedules,
          clock,
          actionKey,
        });

  let stopped: Promise<void> | undefined;
  return {
    config,
    bus: pipeline.bus,
    queue,
    store,
    publisher,
    scheduler,
    userSchedules,
    poller,
    consoleUrl: consoleHandle?.url ?? null,
    consoleAccount: consoleHandle?.devAccount ?? null,
    stop: (stopOptions = {}) => {
      stopped ??= (async () => {
        await scheduler.stop();
        const drained = await poller.stop(stopOptions.timeoutMs ?? 10_000);
        if (!drained)
          log('rez: some batches did not finish in time; they will be received again after restart');
        await consoleHandle?.close();
        await thread?.stop();
        ntfy?.close();
        pipeline.close();
        lock.release();
      })();
      return stopped;
    },
  };
}

/**
 * The key that signs push action links: REZ_ACTION_KEY (base64, as on AWS
 * from SSM), else action.key in the data dir (made on first start, 0600);
 * null when push actions are off (REZ_PUSH_ACTIONS=false).
 */
function readLocalActionKey(env: Env, config: LocalConfig): Buffer | null {
  if (!config.push.actions.enabled) return null;
  const fromEnv = optionalEnv(env, 'REZ_ACTION_KEY');
  return fromEnv ? readActionKey(fromEnv, 'REZ_ACTION_KEY') : readActionKeyFile(config.dataDir);
}
