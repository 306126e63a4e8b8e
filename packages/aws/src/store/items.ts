import {
  COUNT_BUCKET_MS,
  type CountBucket,
  type LifecycleEvent,
  type Message,
  type MessageRecord,
  queuedRecord,
  type Stage,
} from '@rez/core';

/**
 * How records and counts are laid out in the messages table (see table.ts),
 * kept apart from the store's logic. A message item is a MessageRecord plus
 * the keys; fields that key an index are left out when null, because a GSI
 * key attribute may not hold NULL (and leaving it out keeps the index sparse).
 */
export type MessageItem = Omit<MessageRecord, 'causation_id'> & {
  pk: string;
  sk: 'message';
  causation_id?: string;
  created_key: string;
  /** Epoch seconds; DynamoDB's TTL deletes the item after it. */
  expires_at: number;
};

export const MESSAGE_SK = 'message' as const;

export const messageKey = (id: string) => ({ pk: `msg#${id}`, sk: MESSAGE_SK }) as const;

/** Sort key of every index: newest-first order is descending created_key. */
export const createdKey = (createdDate: string, id: string) => `${createdDate}#${id}`;

export function bucketOf(time: Date): string {
  return new Date(Math.floor(time.getTime() / COUNT_BUCKET_MS) * COUNT_BUCKET_MS).toISOString();
}

export const countKey = (stage: Stage, bucket: string, type: string) => ({
  pk: `counts#${stage}`,
  sk: `${bucket}#${type}`,
});

/** The item holding one console user's session state (see ConsoleSessionStore). */
export const consoleSessionsKey = (user: string) => ({ pk: `console-user#${user}`, sk: 'console-sessions' });

export function newItem(
  message: Message,
  now: Date,
  expiresAt: number,
  raw: string | null = null,
): MessageItem {
  const { causation_id, ...record } = queuedRecord(message, now, raw);
  return {
    ...messageKey(message.id),
    ...record,
    ...(causation_id === null ? {} : { causation_id }),
    created_key: createdKey(message.metadata.created_date, message.id),
    expires_at: expiresAt,
  };
}

/** Exactly the MessageRecord fields, in core's shape: table keys and TTL stay inside the adapter. */
export function toRecord(item: Record<string, unknown>): MessageRecord {
  const i = item as Partial<MessageItem>;
  return {
    id: String(i.id),
    type: String(i.type),
    stage: i.stage as Stage,
    created_by: String(i.created_by),
    created_date: String(i.created_date),
    correlation_id: String(i.correlation_id),
    causation_id: i.causation_id ?? null,
    hop: Number(i.hop ?? 0),
    payload: i.payload ?? {},
    raw: i.raw ?? null,
    status: i.status ?? 'queued',
    attempts: Number(i.attempts ?? 0),
    error: i.error ?? null,
    result: i.result ?? null,
    ntfy_id: i.ntfy_id ?? null,
    children: i.children ?? [],
    history: (i.history ?? []).map(toEvent),
    updated_at: String(i.updated_at),
    lease_until: i.lease_until ?? null,
  };
}

function toEvent(event: LifecycleEvent): LifecycleEvent {
  const { status, at, attempt, reason, unresolved, by } = event;
  return {
    status,
    at,
    ...(attempt === undefined ? {} : { attempt: Number(attempt) }),
    ...(reason === undefined ? {} : { reason }),
    ...(unresolved ? { unresolved: true } : {}),
    ...(by === undefined ? {} : { by }),
  };
}

export function toCountBucket(item: Record<string, unknown>): CountBucket {
  const sk = String(item.sk);
  const split = sk.indexOf('#');
  return {
    bucket: sk.slice(0, split),
    stage: String(item.pk).slice('counts#'.length) as Stage,
    type: sk.slice(split + 1),
    created: Number(item.created ?? 0),
    completed: Number(item.completed ?? 0),
    failed: Number(item.failed ?? 0),
  };
}
