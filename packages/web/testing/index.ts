/**
 * `@rez/web/testing`: the console over in-memory ports at a fixed time, and
 * session cookies sealed with its keys, for the console's tests and the
 * console benchmark (bench/suites/console.ts) alike.
 */
import { randomBytes } from 'node:crypto';
import {
  budgetKey,
  builtInRegistry,
  manualClock,
  NTFY_SH_LIMITS,
  SCHEDULES,
  UserSchedules,
  ulidGenerator,
} from '@rez/core';
import {
  InMemoryMessageStore,
  InMemoryPushStateStore,
  InMemoryUserScheduleStore,
  RecordingPublisher,
  RecordingScheduler,
} from '@rez/core/testing';
import type { FastifyInstance } from 'fastify';
import { type BuildOptions, buildApp } from '../src/app';
import type { ConsoleUser } from '../src/auth/identity';
import type { ConsoleDeps } from '../src/deps';
import type { SessionData } from '../src/plugins/app/session';
import { MemoryQueue } from './memory-queue';

export { MemoryQueue } from './memory-queue';

export const TEST_KEY = Buffer.alloc(32, 7);
/** The push action key of the test console. */
export const TEST_ACTION_KEY = Buffer.alloc(32, 11);
/** The ntfy budget the test console shows: ntfy.sh's, for this server and topic. */
export const TEST_BUDGET = { key: budgetKey('https://ntfy.sh', 'rez-test'), limits: NTFY_SH_LIMITS };
export const TEST_USER: ConsoleUser = {
  handle: 'ana@example.com',
  name: 'Ana',
  subject: 'sub-ana',
  entry: 'ana@example.com',
};

/** Discovery metadata for an issuer nobody contacts: unit tests never reach the provider. */
export const FAKE_ISSUER = {
  issuer: 'https://issuer.test',
  authorization_endpoint: 'https://issuer.test/auth',
  token_endpoint: 'https://issuer.test/token',
  jwks_uri: 'https://issuer.test/jwks',
};

export interface TestConsole {
  app: FastifyInstance;
  store: InMemoryMessageStore;
  publisher: RecordingPublisher;
  queue: MemoryQueue;
  clock: ReturnType<typeof manualClock>;
  /** The user schedules' definitions and the fake EventBridge they are put to. */
  schedules: InMemoryUserScheduleStore;
  scheduler: RecordingScheduler;
  /** The push state: budget, used action links, acknowledged alarms. */
  pushState: InMemoryPushStateStore;
  deps: ConsoleDeps;
}

/** The console over in-memory ports, at a fixed time. Close `app` after the test. */
export async function build(
  overrides: Partial<ConsoleDeps> = {},
  options: BuildOptions = {},
): Promise<TestConsole> {
  const store = new InMemoryMessageStore();
  const publisher = new RecordingPublisher();
  const queue = new MemoryQueue();
  const clock = manualClock('2026-03-01T12:00:00.000Z');
  const schedules = new InMemoryUserScheduleStore();
  const scheduler = new RecordingScheduler();
  const ids = ulidGenerator();
  const registry = builtInRegistry();
  const pushState = new InMemoryPushStateStore();
  const deps: ConsoleDeps = {
    stage: 'dev',
    registry,
    store,
    queue,
    publisher,
    clock,
    ids,
    schedules: SCHEDULES,
    scheduleAnchor: new Date('2026-01-01T00:00:00.000Z'),
    userSchedules: new UserSchedules({
      schedules,
      scheduler,
      store,
      bus: publisher,
      registry,
      clock,
      ids,
      stage: 'dev',
      builtIn: SCHEDULES,
    }),
    push: { state: pushState, actionKey: TEST_ACTION_KEY, budget: TEST_BUDGET },
    auth: {
      provider: { kind: 'oidc', issuer: FAKE_ISSUER.issuer, metadata: FAKE_ISSUER },
      clientId: 'rez-console',
      clientSecret: 'secret',
      allowedUsers: ['ana@example.com'],
      sessionKeys: [TEST_KEY],
      publicUrl: 'http://localhost:3000',
    },
    ...overrides,
  };
  const app = await buildApp(deps, options);
  return { app, store, publisher, queue, clock, schedules, scheduler, pushState, deps };
}

/** A session cookie sealed with the app's own keys and clock, as a Cookie header value. */
export function sessionCookie(
  app: FastifyInstance,
  data: Partial<SessionData> = {},
  cookieName = 'rez_session',
): string {
  return `${cookieName}=${app.sealSession(data)}`;
}

/**
 * A signed-in session for `user` as sign-in seals one: valid for 12 hours
 * from the app's clock, with a fresh session id, at epoch 0 (a user whose
 * sessions were never ended) unless `session.epoch` says otherwise.
 */
export function loginCookie(
  t: TestConsole,
  user: ConsoleUser = TEST_USER,
  session: { sid?: string; epoch?: number } = {},
): string {
  return sessionCookie(t.app, {
    user,
    expiresAt: t.clock.now().getTime() + 12 * 3_600_000,
    sid: session.sid ?? randomBytes(24).toString('base64url'),
    epoch: session.epoch ?? 0,
  });
}
