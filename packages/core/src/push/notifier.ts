import { DigestSupersededError, NtfyError } from '../errors';
import type { Delivery, Notification, Notifier, PublishOptions } from '../ports';
import type { BudgetKind, PushBudget } from './budget';

export interface BudgetedNotifierOptions {
  /**
   * How long an urgent push may wait in-process for a request to come back
   * before it is handed back to the queue instead (default 10 s: within a
   * worker's timeout, and a burst refills one request per few seconds).
   */
  maxWaitMs?: number;
  /** Waits `ms` (default setTimeout): the seam for tests on a manual clock. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A Notifier that asks the shared {@link PushBudget} before every request and
 * corrects it after every 429, so the budget is the one thing that paces
 * sends to ntfy, however many workers run. A normal push the budget cannot
 * afford now is refused at once (an NtfyError `rate_limited` whose
 * `retryAfterMs` says when it could go): the notify handler holds it for a
 * digest. An urgent one (`options.urgent`) waits for the next request up to
 * `maxWaitMs`, then is refused the same way so the queue brings it back
 * then — never sooner. A lookup in ntfy's cache (findRecent) is a request too.
 *
 * @example
 * const notifier = new BudgetedNotifier(new NtfyClient({ baseUrl, topic }), budget);
 * await notifier.publish({ message: 'disk full', priority: 5 }, { urgent: true });
 */
export class BudgetedNotifier implements Notifier {
  readonly #inner: Notifier;
  readonly #budget: PushBudget;
  readonly #maxWaitMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(inner: Notifier, budget: PushBudget, options: BudgetedNotifierOptions = {}) {
    this.#inner = inner;
    this.#budget = budget;
    this.#maxWaitMs = options.maxWaitMs ?? 10_000;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async publish(notification: Notification, options: PublishOptions = {}): Promise<Delivery> {
    await this.#admit(options.urgent ? 'urgent' : options.digestId ? 'digest' : 'normal', options.digestId);
    return this.#corrected(() => this.#inner.publish(notification, options));
  }

  async findRecent(notification: Notification, since: Date): Promise<Delivery | null> {
    const inner = this.#inner;
    if (!inner.findRecent) return null;
    await this.#admit('request');
    return this.#corrected(() =>
      (inner.findRecent as NonNullable<Notifier['findRecent']>)(notification, since),
    );
  }

  async #admit(kind: BudgetKind, digestId?: string): Promise<void> {
    let waited = 0;
    for (;;) {
      const decision = await this.#budget.take(kind, digestId);
      if (decision.granted) return;
      if (decision.superseded) throw new DigestSupersededError(digestId ?? '', decision.reason);
      const canWait = kind !== 'normal' && kind !== 'digest' && waited + decision.waitMs <= this.#maxWaitMs;
      if (!canWait) {
        throw new NtfyError(
          `ntfy budget: ${decision.reason}; this push can go in ${Math.ceil(decision.waitMs / 1000)} s`,
          'rate_limited',
          { retryAfterMs: decision.waitMs },
        );
      }
      await this.#sleep(decision.waitMs);
      waited += decision.waitMs;
    }
  }

  /** Runs one request; a 429 (no Retry-After from ntfy) corrects the budget before it is thrown on. */
  async #corrected<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof NtfyError && error.kind === 'rate_limited' && error.details.status === 429)
        await this.#budget.rateLimited(error.details.ntfyCode);
      throw error;
    }
  }
}
