import { consoleDigestPath, consoleMessageUrl, consoleUrl, pushActionUrl } from '../console-urls';
import { MESSAGE_FAILED_TYPE } from '../handlers/message-failed';
import { cutText } from '../handlers/notify';
import { DIGEST_MAX_MESSAGES, PUSH_DIGEST_TYPE } from '../handlers/push-digest';
import { isStoredMessageId, type Message, type Stage } from '../message';
import type { Delivery, MessageRecord, NotificationAction } from '../ports';
import { type SubmitDeps, submitMessage } from '../submit';
import { DIGEST_LEASE_MARGIN_MS, type PushBudget } from './budget';
import type { PushLinks, PushPipeline } from './context';
import { type PushActionName, signPushAction } from './tokens';

/** What action buttons need: the key that signs them and what they say. */
export interface PushActionSettings {
  /** The action key (32 bytes): signs every button's link. */
  key: Buffer;
  /** How long a button's link works. */
  ttlMs: number;
  /** How long Snooze pauses a schedule. */
  snoozeMs: number;
  /** The built-in schedules' names: they are code, so their pushes offer Run again but no Snooze. */
  builtInSchedules: readonly string[];
}

/** What submitting its own messages (digests, failure alerts) needs, and the push settings. */
export interface PushServicesDeps extends SubmitDeps {
  stage: Stage;
  /** The console's public URL; without it pushes carry no links and no buttons. */
  publicUrl?: string;
  /** Action buttons; absent (REZ_PUSH_ACTIONS=false, or no key) pushes get "Open" only. */
  actions?: PushActionSettings;
  /** The shared ntfy budget; absent (NTFY_LIMITS=none) nothing is paced or held. */
  budget?: PushBudget;
  /** Told about what could not be done on the side (a button's lookup, a failure alert). */
  onError?: (what: string, error: unknown) => void;
}

/** What a push is about, as far as its buttons go. */
type Subject =
  | { kind: 'alarm'; target: string }
  | { kind: 'failed'; target: string }
  | { kind: 'schedule'; target: string; schedule: string };

const SCHEDULER_PREFIX = 'scheduler:';
const HANDLER_PREFIX = 'handler:';
/** How many held messages are completed at once when a digest went out. */
const SETTLE_CONCURRENCY = 16;

/**
 * The worker's push services, one instance per worker:
 * - links: every push opens its message's console page (default click and
 *   an "Open" button), and carries the action buttons for what it is about
 *   — an alarm's push: Acknowledge; a schedule's: Snooze (user schedules)
 *   and Run again; a failure alert's: Retry — each an `http` button to a
 *   signed one-time link (`<public URL>/actions/<token>`, see PushActions);
 * - holding: after a push was held, a digest message (`push_digest`) is
 *   started unless one is on its way (the budget's digest lease), and its
 *   own queue delay brings it back until the budget allows it;
 * - failure alerts: a message that failed for good gets a `message_failed`
 *   push, whose Retry redrives it.
 *
 * @example
 * const push = new PushServices({ store, bus, registry, clock, ids, stage, publicUrl, actions, budget });
 * createWorkerHandler({ ...deps, notifier: new BudgetedNotifier(ntfy, budget), push });
 */
export class PushServices implements PushPipeline {
  readonly #deps: PushServicesDeps;

  constructor(deps: PushServicesDeps) {
    this.#deps = deps;
  }

  get holds(): boolean {
    return this.#deps.budget !== undefined;
  }

  async links(message: Message): Promise<PushLinks> {
    const { publicUrl } = this.#deps;
    if (!publicUrl) return { actions: [] };
    const open = consoleMessageUrl(publicUrl, message.id);
    const actions: NotificationAction[] = [{ action: 'view', label: 'Open', url: open }];
    try {
      actions.push(...(await this.#buttons(message, publicUrl)));
    } catch (error) {
      // A push without its buttons beats a push held up by a lookup.
      this.#deps.onError?.(`push buttons for message ${message.id}`, error);
    }
    return { click: open, actions };
  }

  digestUrl(digestId: string): string | undefined {
    const { publicUrl } = this.#deps;
    return publicUrl ? consoleUrl(publicUrl, consoleDigestPath(digestId)) : undefined;
  }

  async heldMessages(max: number): Promise<MessageRecord[]> {
    const held: MessageRecord[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.#deps.store.list({ status: 'held', limit: 100, cursor });
      held.push(...page.items);
      cursor = page.cursor;
    } while (cursor && held.length < max);
    // Newest first from the store: the oldest `max` go first.
    return held.reverse().slice(0, max);
  }

  async digestDone(
    digestId: string,
    named: readonly MessageRecord[],
    delivery: Delivery | null,
  ): Promise<void> {
    const { store, clock, budget } = this.#deps;
    if (delivery) {
      for (let i = 0; i < named.length; i += SETTLE_CONCURRENCY) {
        await Promise.all(
          named.slice(i, i + SETTLE_CONCURRENCY).map((record) =>
            store.complete(record.id, {
              now: clock.now(),
              result: { held: true, digest: digestId, ntfy_id: delivery.id },
            }),
          ),
        );
      }
    }
    const again = budget ? await budget.releaseDigest(digestId) : false;
    // Held while this one was on its way: another follows — unless this one named them after all
    // (it lists what is held when it is sent). A hold the list missed (an index that lags) is
    // picked up by the next hold or the sweep (sweepHeld).
    const more =
      named.length >= DIGEST_MAX_MESSAGES ||
      (again && (await this.#deps.store.list({ status: 'held', limit: 1 })).items.length > 0);
    if (more) await this.afterHold();
  }

  /**
   * The backstop: starts a digest when pushes are held and none is on its
   * way — for a digest that could not be started (its submit failed) or a
   * hold a digest's list missed. One read of the held index; the local
   * scheduler loop and the scheduler Lambda call it. True when one was started.
   */
  async sweepHeld(): Promise<boolean> {
    const { budget, store } = this.#deps;
    if (!budget) return false;
    if ((await budget.usage()).digest) return false;
    if ((await store.list({ status: 'held', limit: 1 })).items.length === 0) return false;
    return this.afterHold();
  }

  /** After a hold: starts a digest unless one is on its way (that one is told to look again). True when started. */
  async afterHold(): Promise<boolean> {
    const { budget, clock, ids, stage } = this.#deps;
    if (!budget) return false;
    const now = clock.now();
    const id = ids.next(now.getTime());
    if (!(await budget.leaseDigest(id, DIGEST_LEASE_MARGIN_MS))) return false;
    try {
      await submitMessage(
        { type: PUSH_DIGEST_TYPE, payload: {}, created_by: 'worker:push-budget', stage },
        { ...this.#deps, ids: { next: () => id } },
      );
    } catch (error) {
      // Let the next hold start one at once, rather than after the lease lapses.
      await budget.releaseDigest(id).catch(() => false);
      throw error;
    }
    return true;
  }

  async deadLettered(
    message: Message,
    error: { code: string; reason: string },
    attempts: number,
  ): Promise<void> {
    // No alert about an alert (nor its push): a failure there must not loop.
    if (message.type === MESSAGE_FAILED_TYPE) return;
    if (message.metadata.created_by === `${HANDLER_PREFIX}${MESSAGE_FAILED_TYPE}`) return;
    try {
      await submitMessage(
        {
          type: MESSAGE_FAILED_TYPE,
          payload: {
            message_id: message.id,
            type: message.type,
            code: cutText(error.code, 64),
            reason: cutText(error.reason, 2000),
            attempts,
          },
          created_by: 'worker:dead-letter',
          stage: this.#deps.stage,
        },
        this.#deps,
      );
    } catch (cause) {
      this.#deps.onError?.(`the failure alert for message ${message.id}`, cause);
    }
  }

  async #buttons(message: Message, publicUrl: string): Promise<NotificationAction[]> {
    const settings = this.#deps.actions;
    if (!settings) return [];
    const subject = await this.#subject(message);
    if (!subject) return [];
    const expiresAt = this.#deps.clock.now().getTime() + settings.ttlMs;
    const button = (action: PushActionName, label: string, forMs?: number): NotificationAction => ({
      action: 'http',
      label,
      method: 'POST',
      clear: true,
      url: pushActionUrl(
        publicUrl,
        signPushAction(
          { action, target: subject.target, stage: this.#deps.stage, push: message.id, expiresAt, forMs },
          settings.key,
        ),
      ),
    });
    switch (subject.kind) {
      case 'alarm':
        return [button('acknowledge', 'Acknowledge')];
      case 'failed':
        return [button('retry', 'Retry')];
      case 'schedule': {
        const snooze = settings.builtInSchedules.includes(subject.schedule)
          ? []
          : [button('snooze', `Snooze ${formatDuration(settings.snoozeMs)}`, settings.snoozeMs)];
        return [...snooze, button('run-again', 'Run again')];
      }
    }
  }

  /** What the push is about: from its creator, and for a push a handler emitted, from its parent. */
  async #subject(message: Message): Promise<Subject | null> {
    const by = message.metadata.created_by;
    if (by.startsWith(SCHEDULER_PREFIX))
      return { kind: 'schedule', target: message.id, schedule: by.slice(SCHEDULER_PREFIX.length) };
    if (!by.startsWith(HANDLER_PREFIX) || !message.causation_id) return null;
    const parent = await this.#deps.store.get(message.causation_id);
    if (!parent) return null;
    if (parent.type === 'cloudwatch_alarm')
      // Acknowledging a recovery means nothing: only pushes of a firing alarm get the button.
      return parent.payload.new_state === 'OK' ? null : { kind: 'alarm', target: parent.id };
    if (parent.type === MESSAGE_FAILED_TYPE) {
      const failed = parent.payload.message_id;
      return typeof failed === 'string' && isStoredMessageId(failed)
        ? { kind: 'failed', target: failed }
        : null;
    }
    if (parent.created_by.startsWith(SCHEDULER_PREFIX))
      return {
        kind: 'schedule',
        target: parent.id,
        schedule: parent.created_by.slice(SCHEDULER_PREFIX.length),
      };
    return null;
  }
}

/** 86400000 → "24h", 5400000 → "90m": what a Snooze button says. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % 1440 === 0 && minutes >= 2880) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}
