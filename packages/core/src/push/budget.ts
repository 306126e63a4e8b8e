/**
 * The ntfy budget: what one ntfy server lets this deployment send, tracked
 * in a shared counter so that every worker (two Lambdas at once on AWS, the
 * threads of `npm start`) paces against the same numbers.
 *
 * ntfy limits a visitor (for users without a tier: a client IP) with a token
 * bucket of requests — a burst, then one request back every few seconds —
 * and a count of messages per UTC day, answering 429 with code 42901 or
 * 42908 and, on ntfy.sh, no Retry-After header. The budget mirrors both,
 * counting every request this deployment makes as if from one visitor (the
 * safe side: Lambdas may reach ntfy from several addresses), and corrects
 * itself from ntfy's 429 codes when they disagree. It keeps a reserve for
 * urgent pushes (priority 4–5, alarms): other pushes are refused once the
 * bucket or the day's count reaches it.
 */
import type { Clock } from '../clock';
import { type Env, optionalEnv, readNtfyConfig } from '../config';
import { BudgetContentionError, ConfigError } from '../errors';
import type { BudgetState, PushBudgetStore } from './state';

/** What one ntfy server allows. */
export interface PushLimits {
  /** Requests at once (ntfy's visitor-request-limit-burst). */
  burst: number;
  /** One request comes back every `refillMs` (visitor-request-limit-replenish). */
  refillMs: number;
  /** Messages per UTC day (visitor-message-daily-limit); 0: no daily limit. */
  daily: number;
}

/** ntfy.sh's free tier: 60 requests at once, then one per 5 s; 250 messages a day. */
export const NTFY_SH_LIMITS: PushLimits = { burst: 60, refillMs: 5000, daily: 250 };
/** A self-hosted ntfy's defaults: the same request bucket, no daily message limit of its own. */
export const NTFY_SERVER_LIMITS: PushLimits = { burst: 60, refillMs: 5000, daily: 0 };

/**
 * The limits to pace sends to `baseUrl` by, from NTFY_LIMITS: unset, ntfy.sh's
 * free tier for https://ntfy.sh and ntfy's server defaults for any other
 * server; `none` turns pacing off (null); or `burst=60,refill=5s,daily=250`
 * (refill in s or ms; daily 0 = no daily limit; any part left out keeps
 * its default). Throws a ConfigError naming NTFY_LIMITS.
 *
 * @example
 * readPushLimits({ NTFY_LIMITS: 'burst=120,refill=2s,daily=2500' }, 'https://ntfy.sh')
 */
export function readPushLimits(env: Env, baseUrl: string, name = 'NTFY_LIMITS'): PushLimits | null {
  const fallback = isNtfySh(baseUrl) ? NTFY_SH_LIMITS : NTFY_SERVER_LIMITS;
  const raw = optionalEnv(env, name);
  if (raw === undefined) return fallback;
  return parsePushLimits(raw, fallback, name);
}

/** The budget a stage's pushes are paced by: its key and limits. */
export interface PushBudgetSettings {
  key: string;
  limits: PushLimits;
}

/**
 * The budget the worker paces pushes by, from its NTFY_BASE_URL, NTFY_TOPIC
 * and NTFY_LIMITS — for whoever else reads or sweeps that budget (the
 * console, the scheduler Lambda); null when pacing is off (NTFY_LIMITS=none).
 *
 * @example
 * const budget = readPushBudgetSettings(process.env); // { key: 'https://ntfy.sh/rez-dev', limits: NTFY_SH_LIMITS }
 */
export function readPushBudgetSettings(env: Env): PushBudgetSettings | null {
  const ntfy = readNtfyConfig(env);
  const limits = readPushLimits(env, ntfy.baseUrl);
  return limits ? { key: budgetKey(ntfy.baseUrl, ntfy.topic), limits } : null;
}

/** {@link readPushLimits}'s syntax; `where` names the setting in errors (NTFY_LIMITS, rez:ntfyLimits). */
export function parsePushLimits(raw: string, fallback: PushLimits, where: string): PushLimits | null {
  if (raw.trim().toLowerCase() === 'none') return null;
  const limits = { ...fallback };
  const bad = (why: string) =>
    new ConfigError(where, `${why}; write "none" or e.g. "burst=60,refill=5s,daily=250", got "${raw}"`);
  for (const part of raw.split(',')) {
    const match = /^\s*(burst|refill|daily)\s*=\s*(\d+(?:\.\d+)?)(ms|s)?\s*$/.exec(part);
    if (!match) throw bad(`"${part.trim()}" is not burst=N, refill=N(s|ms) or daily=N`);
    const [, key, digits, unit] = match;
    const value = Number(digits);
    if (key === 'refill') {
      const ms = unit === 'ms' ? value : value * 1000;
      if (!(ms >= 1 && ms <= 86_400_000)) throw bad('refill must be from 1 ms to 24 h');
      limits.refillMs = ms;
    } else {
      if (unit || !Number.isInteger(value)) throw bad(`${key} must be a whole number`);
      if (key === 'burst' && !(value >= 1 && value <= 100_000)) throw bad('burst must be from 1 to 100000');
      if (key === 'daily' && value > 10_000_000) throw bad('daily must be at most 10000000');
      limits[key as 'burst' | 'daily'] = value;
    }
  }
  return limits;
}

function isNtfySh(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === 'ntfy.sh';
  } catch {
    return false;
  }
}

/** The budget's key: the ntfy server (without credentials or trailing slash) and the topic. */
export function budgetKey(baseUrl: string, topic: string): string {
  const url = new URL(baseUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/${topic}`;
}

/**
 * What a push asks of the budget: `urgent` (priority 4–5, alarms: may use
 * the reserve), `normal` (stops at the reserve, and while a digest is on its
 * way, so the digest goes first), `digest` (the digest itself: stops at the
 * reserve), `request` (a read, such as a lookup in ntfy's cache: a request,
 * not a message).
 */
export type BudgetKind = 'urgent' | 'normal' | 'digest' | 'request';

export type BudgetDecision =
  | { granted: true; state: BudgetState }
  | {
      granted: false;
      state: BudgetState;
      waitMs: number;
      reason: string;
      /** A digest whose lease another digest holds now: it must not be sent at all. */
      superseded?: true;
    };

/** How long past its next try a waiting digest keeps its lease, before another may take over. */
export const DIGEST_LEASE_MARGIN_MS = 5 * 60_000;

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const untilNextDay = (ms: number) => DAY_MS - (ms % DAY_MS);

/** Requests kept back from normal pushes: a fifth of the burst. */
export function burstReserve(limits: PushLimits): number {
  return Math.floor(limits.burst / 5);
}

/** Messages a day kept back from normal pushes: a tenth of the daily limit. */
export function dailyReserve(limits: PushLimits): number {
  return Math.floor(limits.daily / 10);
}

/** How long until the bucket holds one more whole request than now. */
function untilNextToken(state: BudgetState, limits: PushLimits): number {
  return (Math.floor(state.tokens) + 1 - state.tokens) * limits.refillMs;
}

/** A full budget at `now`. */
export function freshBudget(limits: PushLimits, now: number): BudgetState {
  return { tokens: limits.burst, at: now, day: utcDay(now), sent: 0, quotaDay: null, digest: null };
}

/** The budget as of `now`: tokens refilled, the day's count reset at UTC midnight. */
export function budgetAt(state: BudgetState | null, limits: PushLimits, now: number): BudgetState {
  if (!state) return freshBudget(limits, now);
  const elapsed = Math.max(0, now - state.at);
  const tokens = Math.min(limits.burst, state.tokens + elapsed / limits.refillMs);
  const day = utcDay(now);
  return {
    ...state,
    tokens,
    at: Math.max(now, state.at),
    ...(day === state.day ? {} : { day, sent: 0 }),
    quotaDay: state.quotaDay === day ? state.quotaDay : null,
    digest: state.digest && state.digest.until >= now ? state.digest : null,
  };
}

/**
 * Takes what a push of `kind` needs — one request, and for a push one
 * message of the day — or says how long to wait and why.
 */
export function takeFromBudget(
  stored: BudgetState | null,
  limits: PushLimits,
  now: number,
  kind: BudgetKind,
  digestId?: string,
): BudgetDecision {
  const state = budgetAt(stored, limits, now);
  const refuse = (waitMs: number, reason: string): BudgetDecision => ({
    granted: false,
    state,
    waitMs: Math.max(1, Math.ceil(waitMs)),
    reason,
  });
  if (kind === 'normal' && state.digest)
    return refuse(untilNextToken(state, limits), 'a digest of held pushes is on its way; this one joins it');
  // A digest goes while it holds the lease, or when nobody does (its own lapsed): never beside another.
  if (kind === 'digest' && state.digest && state.digest.id !== digestId)
    return {
      granted: false,
      state,
      waitMs: 0,
      reason: `digest ${state.digest.id} has taken over from this one`,
      superseded: true,
    };
  if (kind !== 'request') {
    if (state.quotaDay === state.day)
      return refuse(untilNextDay(now), `ntfy's daily message quota was reached on ${state.day} (UTC)`);
    const cap = kind === 'urgent' ? limits.daily : limits.daily - dailyReserve(limits);
    if (limits.daily > 0 && state.sent >= cap)
      return refuse(
        untilNextDay(now),
        kind === 'urgent'
          ? `${state.sent} of ${limits.daily} messages sent today (UTC)`
          : `${state.sent} of ${limits.daily} messages sent today; the last ${dailyReserve(limits)} are kept for urgent pushes`,
      );
  }
  const reserved = kind === 'normal' || kind === 'digest';
  const floor = reserved ? burstReserve(limits) + 1 : 1;
  if (state.tokens < floor) {
    const reason =
      reserved && burstReserve(limits) > 0
        ? `${Math.floor(state.tokens)} of ${limits.burst} requests left; the last ${burstReserve(limits)} are kept for urgent pushes`
        : `no request left of the burst of ${limits.burst}`;
    return refuse((floor - state.tokens) * limits.refillMs, reason);
  }
  return {
    granted: true,
    state: { ...state, tokens: state.tokens - 1, sent: state.sent + (kind === 'request' ? 0 : 1) },
  };
}

/**
 * The budget after ntfy answered 429 at `now`: 42908 (daily quota) closes
 * the day; anything else (42901) empties the bucket, which then refills at
 * the usual pace. ntfy sends no Retry-After, so its own counters are only
 * known to be at least this low.
 */
export function afterRateLimit(
  stored: BudgetState | null,
  limits: PushLimits,
  now: number,
  ntfyCode: number | undefined,
): BudgetState {
  const state = budgetAt(stored, limits, now);
  if (ntfyCode === 42908) return { ...state, quotaDay: state.day, sent: Math.max(state.sent, limits.daily) };
  return { ...state, tokens: 0, at: now };
}

/** The budget as the console shows it. */
export interface BudgetUsage {
  limits: PushLimits;
  /** Whole requests left in the bucket now. */
  requestsLeft: number;
  day: string;
  sent: number;
  /** ntfy answered 42908 today: nothing goes until UTC midnight. */
  quotaReached: boolean;
  digest: BudgetState['digest'];
}

/** How many times a budget write may lose to a concurrent one before the push is retried later. */
const MAX_TRIES = 12;

/**
 * The budget of one ntfy server and topic over a {@link PushBudgetStore}:
 * every change is read, computed by the functions above and written
 * conditional on the version read (a DynamoDB conditional write on AWS, a
 * transaction locally), so concurrent workers never take the same request twice.
 *
 * @example
 * const budget = new PushBudget({ store, key: budgetKey(baseUrl, topic), limits: NTFY_SH_LIMITS, clock });
 * const decision = await budget.take('normal');
 */
export class PushBudget {
  readonly key: string;
  readonly limits: PushLimits;
  readonly #store: PushBudgetStore;
  readonly #clock: Clock;

  constructor(deps: {
    store: PushBudgetStore;
    key: string;
    limits: PushLimits;
    clock: Clock;
  }) {
    this.key = deps.key;
    this.limits = deps.limits;
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  /**
   * Takes what a push (or a request) of `kind` needs, or says how long to
   * wait. A digest names itself (`digestId`): it goes only while it holds the
   * digest lease, and a refusal extends the lease to its next try.
   */
  take(kind: BudgetKind, digestId?: string): Promise<BudgetDecision> {
    return this.#change<BudgetDecision>((state, now) => {
      const decision = takeFromBudget(state, this.limits, now, kind, digestId);
      if (decision.granted) return { write: decision.state, result: decision };
      if (kind === 'digest' && digestId && !decision.superseded) {
        const lease = decision.state.digest ?? { id: digestId, until: 0, again: false };
        const until = now + decision.waitMs + DIGEST_LEASE_MARGIN_MS;
        return { write: { ...decision.state, digest: { ...lease, until } }, result: decision };
      }
      return { write: null, result: decision };
    });
  }

  /** Corrects the budget after ntfy answered 429 with `ntfyCode`. */
  async rateLimited(ntfyCode: number | undefined): Promise<void> {
    await this.#change((state, now) => ({
      write: afterRateLimit(state, this.limits, now, ntfyCode),
      result: undefined,
    }));
  }

  /**
   * Makes digest `id` the one on its way, for `holdMs` (until its first
   * try), unless another holds the lease: then that one is told to look
   * again when it is done (`again`), and this caller sends nothing. True when
   * this caller must send digest `id`.
   */
  leaseDigest(id: string, holdMs: number): Promise<boolean> {
    return this.#change((state, now) => {
      const current = budgetAt(state, this.limits, now);
      if (current.digest) {
        if (current.digest.again) return { write: null, result: false };
        return { write: { ...current, digest: { ...current.digest, again: true } }, result: false };
      }
      return { write: { ...current, digest: { id, until: now + holdMs, again: false } }, result: true };
    });
  }

  /**
   * Ends digest `id`'s lease (when it still holds it); true when pushes were
   * held while it was on its way, so another digest must follow.
   */
  releaseDigest(id: string): Promise<boolean> {
    return this.#change((state, now) => {
      const current = budgetAt(state, this.limits, now);
      if (current.digest?.id !== id) return { write: null, result: false };
      return { write: { ...current, digest: null }, result: current.digest.again };
    });
  }

  /** The budget now, without taking anything: one read. */
  async usage(): Promise<BudgetUsage> {
    const now = this.#clock.now().getTime();
    const state = budgetAt((await this.#store.readBudget(this.key))?.state ?? null, this.limits, now);
    return {
      limits: this.limits,
      requestsLeft: Math.floor(state.tokens),
      day: state.day,
      sent: state.sent,
      quotaReached: state.quotaDay === state.day,
      digest: state.digest,
    };
  }

  async #change<T>(
    compute: (state: BudgetState | null, now: number) => { write: BudgetState | null; result: T },
  ): Promise<T> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const stored = await this.#store.readBudget(this.key);
      const { write, result } = compute(stored?.state ?? null, this.#clock.now().getTime());
      if (!write) return result;
      if (await this.#store.writeBudget(this.key, write, stored?.version ?? null)) return result;
      // Lost to another worker: a short random pause spreads the next tries apart.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * (tries + 1)));
    }
    throw new BudgetContentionError(this.key, MAX_TRIES);
  }
}
