import type { Message } from '../message';
import type { Delivery, MessageRecord, NotificationAction } from '../ports';

/** What a push gets besides its text: where a tap goes, and its buttons. */
export interface PushLinks {
  /** The message's console page; absent when the console's public URL is not known. */
  click?: string;
  /** "Open" and the action buttons for what the push is about (at most three). */
  actions: NotificationAction[];
}

/**
 * What the push handlers (notify, push_digest) need beyond the notifier:
 * the worker wires {@link PushServices}, tests may pass a fake.
 */
export interface PushContext {
  /** Whether a normal push the budget cannot afford is held for a digest (a budget is configured). */
  readonly holds: boolean;
  /** The click target and buttons of the push `message` sends. */
  links(message: Message): Promise<PushLinks>;
  /** The console page listing what a digest named; absent without a public URL. */
  digestUrl(digestId: string): string | undefined;
  /** The held messages, oldest first, at most `max`. */
  heldMessages(max: number): Promise<MessageRecord[]>;
  /**
   * After digest `digestId` went out (or found nothing to send: `delivery`
   * null): completes each message it named, ends its lease, and starts the
   * next digest when pushes were held meanwhile.
   */
  digestDone(digestId: string, named: readonly MessageRecord[], delivery: Delivery | null): Promise<void>;
}

/** What the pipeline (processMessage, the worker) asks of push services, beyond the handlers' part. */
export interface PushPipeline extends PushContext {
  /** A push was just held (and recorded so): makes sure a digest is on its way. */
  afterHold(): Promise<unknown>;
  /**
   * `message` has failed for good and is in (or on its way to) the
   * dead-letter queue: sends the failure alert push, whose button retries it.
   */
  deadLettered(message: Message, error: { code: string; reason: string }, attempts: number): Promise<void>;
}
