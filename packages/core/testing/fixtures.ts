import { isDeepStrictEqual } from 'node:util';
import {
  type Delivery,
  type Message,
  type MessagePublisher,
  type Notification,
  type Notifier,
  type Stage,
  ulidGenerator,
} from '../src';

const ids = ulidGenerator();

/** A valid message for tests; override any field. */
export function sampleMessage(overrides: Partial<Message> & { at?: string; stage?: Stage } = {}): Message {
  const { at, stage, ...rest } = overrides;
  const created = at ?? '2026-01-01T00:00:00.000Z';
  const id = rest.id ?? ids.next(Date.parse(created));
  return {
    id,
    type: 'notify',
    payload: { message: 'hello' },
    metadata: { created_date: created, created_by: 'test', stage: stage ?? 'dev' },
    correlation_id: rest.correlation_id ?? id,
    causation_id: null,
    hop: 0,
    ...rest,
  };
}

/** Remembers what was published; can be told to fail. */
export class RecordingPublisher implements MessagePublisher {
  readonly published: Message[] = [];
  failWith: Error | undefined;

  async publish(message: Message): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push(message);
  }
}

/**
 * Remembers notifications; answers with ids n1, n2, … or with the queued
 * errors first. findRecent finds an identical notification among those sent
 * (fields left undefined do not count; it keeps no times, so `since` is
 * only recorded), or throws the queued
 * `lookupErrors` first.
 */
export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  readonly errors: Error[] = [];
  readonly lookups: { notification: Notification; since: Date }[] = [];
  readonly lookupErrors: Error[] = [];

  async findRecent(notification: Notification, since: Date): Promise<Delivery | null> {
    this.lookups.push({ notification, since });
    const error = this.lookupErrors.shift();
    if (error) throw error;
    const index = this.sent.findIndex((sent) => isDeepStrictEqual(defined(sent), defined(notification)));
    return index < 0 ? null : { id: `n${index + 1}`, truncated: false };
  }

  async publish(notification: Notification): Promise<Delivery> {
    const error = this.errors.shift();
    if (error) throw error;
    this.sent.push(notification);
    return { id: `n${this.sent.length}`, truncated: false };
  }
}

function defined(notification: Notification): Record<string, unknown> {
  return Object.fromEntries(Object.entries(notification).filter(([, value]) => value !== undefined));
}
