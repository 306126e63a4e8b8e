import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  AdapterError,
  type ClaimResult,
  type ConsoleSessionState,
  type CountBucket,
  type CountQuery,
  claimBlocker,
  claimTakeover,
  decodeListCursor,
  type ErrorSummary,
  encodeListCursor,
  type LifecycleEvent,
  type ListQuery,
  type Message,
  MessageNotStoredError,
  type MessageRecord,
  type MessageStore,
  type Page,
  type RejectOptions,
  rejectedInputMessage,
  STAGES,
  type Stage,
  withSessionRevoked,
} from '@rez/core';
import { adapterCall, conditionalWrite, StoreConflictError } from '../errors';
import { asDocumentClient } from '../sdk/dynamodb';
import {
  bucketOf,
  consoleSessionsKey,
  countKey,
  type MessageItem,
  messageKey,
  newItem,
  toCountBucket,
  toRecord,
} from './items';
import { pickIndex, queryAll, queryPage } from './queries';

export interface DynamoMessageStoreOptions {
  /** A DocumentClient (see createDocumentClient), or a plain client to wrap in one. */
  client: DynamoDBDocumentClient | DynamoDBClient;
  /** REZ_MESSAGES_TABLE: a table created from MESSAGES_TABLE. */
  tableName: string;
  /** The stage this process serves; list() without filters shows this stage. */
  stage: Stage;
  /** Items expire (DynamoDB TTL) this many days after they were recorded. Default 30. */
  retentionDays?: number;
  /**
   * Called when a lifecycle count could not be added. Counts are a dashboard
   * aggregate written after the record itself; failing the message over a
   * lost count would cause a retry and a second push, so it is reported here
   * instead (default: console.warn).
   */
  onCountError?: (error: AdapterError) => void;
}

/** Optimistic-lock retries before a write reports a conflict. */
const MAX_TRIES = 5;
const RAW_LIMIT = 4096;

type Transition = {
  set: Record<string, unknown>;
  event: LifecycleEvent;
};

/**
 * The message store on DynamoDB, one table (see MESSAGES_TABLE). Every state
 * change is a conditional UpdateItem guarded by the `attempts` counter the
 * change was computed from, so concurrent deliveries cannot both claim a
 * message and a history entry always names the attempt it belongs to.
 * Lists are Queries on a GSI (never a Scan); counts are pre-aggregated with
 * ADD on one item per stage, 5-minute bucket and type.
 *
 * Reads of a single record are strongly consistent; list(), children() and
 * counts() read indexes and may lag a write by a moment on real DynamoDB.
 *
 * @example
 * const store = new DynamoMessageStore({
 *   client: createDocumentClient(createDynamoDbClient()),
 *   tableName: process.env.REZ_MESSAGES_TABLE!,
 *   stage: 'dev',
 * });
 * const { outcome } = await store.claim(message, { now: new Date(), leaseMs: 300_000 });
 * if (outcome === 'claimed' || outcome === 'reclaimed') { … }
 */
export class DynamoMessageStore implements MessageStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #stage: Stage;
  readonly #retentionSeconds: number;
  readonly #onCountError: (error: AdapterError) => void;

  constructor(options: DynamoMessageStoreOptions) {
    this.#client = asDocumentClient(options.client);
    this.#table = options.tableName;
    this.#stage = options.stage;
    const days = options.retentionDays ?? 30;
    if (!(days > 0)) throw new RangeError(`retentionDays must be a positive number of days, got ${days}`);
    this.#retentionSeconds = Math.round(days * 86_400);
    this.#onCountError =
      options.onCountError ??
      ((error) => console.warn(JSON.stringify({ level: 'WARN', message: error.message })));
  }

  async put(message: Message, now: Date): Promise<boolean> {
    return this.#insert(newItem(message, now, this.#expiresAt(now)), now);
  }

  async get(id: string): Promise<MessageRecord | null> {
    const item = await this.#read(id);
    return item ? toRecord(item) : null;
  }

  async claim(message: Message, { now, leaseMs }: { now: Date; leaseMs: number }): Promise<ClaimResult> {
    const fresh = newItem(message, now, this.#expiresAt(now));
    let current: MessageItem | null = (await this.#insert(fresh, now)) ? fresh : null;
    const at = now.toISOString();
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      current ??= await this.#read(message.id);
      if (!current) throw new MessageNotStoredError(message.id, 'claim');
      const blocked = claimBlocker(current, now);
      if (blocked) return { outcome: blocked };
      const attempt = current.attempts + 1;
      // ALL_OLD: the item as the write found it, so whether this takes over an
      // unfinished attempt is decided on what was overwritten, not on the earlier read.
      const previous = await this.#apply(message.id, current.attempts, 'claim', {
        set: {
          status: 'processing',
          attempts: attempt,
          lease_until: new Date(now.getTime() + leaseMs).toISOString(),
          updated_at: at,
        },
        event: { status: 'processing', at, attempt },
        // Re-checked at write time: completed or leased since we read means not ours.
        extraCondition:
          '#status <> :completed AND #status <> :held AND (#status <> :processing OR #lease_until <= :at)',
        extraValues: { ':completed': 'completed', ':held': 'held', ':processing': 'processing', ':at': at },
        returnOld: true,
      });
      if (previous) return claimTakeover(toRecord(previous));
      current = null;
    }
    throw new StoreConflictError(message.id, 'claim', MAX_TRIES);
  }

  async complete(
    id: string,
    options: { now: Date; result: Record<string, unknown>; children?: string[] },
  ): Promise<void> {
    const at = options.now.toISOString();
    const item = await this.#transition(id, 'complete', (current) => ({
      set: {
        status: 'completed',
        result: options.result,
        ntfy_id: typeof options.result.ntfy_id === 'string' ? options.result.ntfy_id : null,
        children: options.children ?? [],
        error: null,
        lease_until: null,
        updated_at: at,
      },
      event: { status: 'completed', at, attempt: current.attempts },
    }));
    await this.#count(item.stage, item.type, options.now, 'completed');
  }

  async fail(
    id: string,
    { now, error, unresolved }: { now: Date; error: ErrorSummary; unresolved?: boolean },
  ): Promise<void> {
    const item = await this.#transition(id, 'fail', (current) =>
      failure(current.attempts, now, error, unresolved),
    );
    await this.#count(item.stage, item.type, now, 'failed');
  }

  async hold(id: string, { now, reason }: { now: Date; reason: string }): Promise<void> {
    const at = now.toISOString();
    await this.#transition(id, 'hold', (current) => ({
      set: { status: 'held', lease_until: null, updated_at: at },
      event: { status: 'held', at, attempt: current.attempts, reason },
    }));
  }

  async note(id: string, { now, by, reason }: { now: Date; by: string; reason: string }): Promise<void> {
    await this.#transition(id, 'note', (current) => ({
      set: {},
      event: { status: current.status, at: now.toISOString(), reason, by },
    }));
  }

  async reject(options: RejectOptions): Promise<void> {
    const placeholder = rejectedInputMessage(options);
    const raw = options.raw.slice(0, RAW_LIMIT);
    await this.#insert(newItem(placeholder, options.now, this.#expiresAt(options.now), raw), options.now);
    const item = await this.#transition(options.id, 'reject', (current) => {
      const attempt = current.attempts + 1;
      const change = failure(attempt, options.now, options.error);
      return { ...change, set: { ...change.set, attempts: attempt } };
    });
    await this.#count(item.stage, item.type, options.now, 'failed');
  }

  async list(query: ListQuery): Promise<Page<MessageRecord>> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? 25), 1), 100);
    const before = query.cursor ? decodeListCursor(query.cursor) : null;
    const plan = pickIndex(query, this.#stage);
    const items = await this.#call('list', () =>
      queryPage(this.#client, this.#table, plan, { before, wanted: limit + 1 }),
    );
    const page = items.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toRecord),
      cursor: items.length > limit && last ? encodeListCursor(toRecord(last)) : null,
    };
  }

  async children(id: string): Promise<MessageRecord[]> {
    const items = await this.#call('children', () =>
      queryAll(this.#client, {
        TableName: this.#table,
        IndexName: 'by-causation',
        KeyConditionExpression: '#causation = :id',
        ExpressionAttributeNames: { '#causation': 'causation_id' },
        ExpressionAttributeValues: { ':id': id },
        ScanIndexForward: true,
      }),
    );
    return items.map(toRecord);
  }

  async counts(query: CountQuery): Promise<CountBucket[]> {
    const from = bucketOf(query.since);
    const to = query.until.toISOString();
    if (from >= to) return [];
    const stages = query.stage ? [query.stage] : STAGES;
    // "<bucket>#<type>" sorts between "<from>" and "<until>" exactly when from ≤ bucket < until.
    const perStage = await Promise.all(
      stages.map((stage) =>
        this.#call('counts', () =>
          queryAll(this.#client, {
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': countKey(stage, '', '').pk, ':from': from, ':to': to },
          }),
        ),
      ),
    );
    return perStage
      .flat()
      .map(toCountBucket)
      .sort(
        (a, b) =>
          a.bucket.localeCompare(b.bucket) || a.stage.localeCompare(b.stage) || a.type.localeCompare(b.type),
      );
  }

  async consoleSessionState(user: string): Promise<ConsoleSessionState> {
    const { state } = await this.#readSessions(user);
    return state;
  }

  async revokeConsoleSession(
    user: string,
    session: { id: string; expiresAt: number },
    now: Date,
  ): Promise<void> {
    // Sign-outs are rare: read, apply core's rule, write back unless someone wrote in between.
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const { state, version } = await this.#readSessions(user);
      const next = withSessionRevoked(state, session, now);
      const written = await conditionalWrite('revoke a console session', () =>
        this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: {
              ...consoleSessionsKey(user),
              epoch: next.epoch,
              revoked: next.revoked,
              version: version + 1,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR version = :version',
            ExpressionAttributeValues: { ':version': version },
          }),
        ),
      );
      if (written) return;
    }
    throw new AdapterError(
      'DynamoDB',
      `revoke a console session of ${user}`,
      new Error(`lost to concurrent writers ${MAX_TRIES} times in a row`),
    );
  }

  async endConsoleSessions(user: string): Promise<number> {
    const output = await this.#call('end console sessions', () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: consoleSessionsKey(user),
          UpdateExpression: 'SET revoked = :none ADD epoch :one, version :one',
          ExpressionAttributeValues: { ':none': {}, ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Number(output.Attributes?.epoch);
  }

  /** One strongly consistent GetItem: a sign-out counts from the next request on. */
  async #readSessions(user: string): Promise<{ state: ConsoleSessionState; version: number }> {
    const result = await this.#call('read console sessions', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#table, Key: consoleSessionsKey(user), ConsistentRead: true }),
      ),
    );
    const item = result.Item;
    if (!item) return { state: { epoch: 0, revoked: {} }, version: 0 };
    const revoked = Object.fromEntries(
      Object.entries((item.revoked ?? {}) as Record<string, unknown>).map(([id, at]) => [id, Number(at)]),
    );
    return { state: { epoch: Number(item.epoch ?? 0), revoked }, version: Number(item.version ?? 0) };
  }

  /** Writes a new item unless its id is stored; counts it as created when written. */
  async #insert(item: MessageItem, now: Date): Promise<boolean> {
    const written = await conditionalWrite('put', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (written) await this.#count(item.stage, item.type, now, 'created');
    return written;
  }

  async #read(id: string): Promise<MessageItem | null> {
    const result = await this.#call('get', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#table, Key: messageKey(id), ConsistentRead: true }),
      ),
    );
    return (result.Item as MessageItem | undefined) ?? null;
  }

  /** Read, compute the change from what was read, write it if nobody changed `attempts` meanwhile; retry if they did. */
  async #transition(id: string, operation: string, change: (current: MessageItem) => Transition) {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const current = await this.#read(id);
      if (!current) throw new MessageNotStoredError(id, operation);
      if (await this.#apply(id, current.attempts, operation, change(current))) return current;
    }
    throw new StoreConflictError(id, operation, MAX_TRIES);
  }

  /**
   * One conditional UpdateItem: SET the fields, append the event to history.
   * False when the condition failed; otherwise true, or with `returnOld` the
   * item as it was before the write (ReturnValues ALL_OLD: no extra read).
   */
  async #apply(
    id: string,
    expectedAttempts: number,
    operation: string,
    change: Transition & {
      extraCondition?: string;
      extraValues?: Record<string, unknown>;
      returnOld?: boolean;
    },
  ): Promise<false | Record<string, unknown>> {
    const names: Record<string, string> = { '#attempts': 'attempts', '#history': 'history' };
    const values: Record<string, unknown> = { ':expected': expectedAttempts, ':event': [change.event] };
    const sets = ['#history = list_append(#history, :event)'];
    for (const [field, value] of Object.entries(change.set)) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (change.extraCondition) {
      names['#status'] = 'status';
      names['#lease_until'] = 'lease_until';
    }
    let old: Record<string, unknown> = {};
    const written = await conditionalWrite(operation, async () => {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: messageKey(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: ['attribute_exists(pk) AND #attempts = :expected', change.extraCondition]
            .filter(Boolean)
            .join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ...change.extraValues },
          ...(change.returnOld ? { ReturnValues: 'ALL_OLD' as const } : {}),
        }),
      );
      old = output.Attributes ?? {};
    });
    return written && old;
  }

  async #count(stage: Stage, type: string, now: Date, field: 'created' | 'completed' | 'failed') {
    const bucket = bucketOf(now);
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: countKey(stage, bucket, type),
          UpdateExpression: 'SET #expires = if_not_exists(#expires, :expires) ADD #field :one',
          ExpressionAttributeNames: { '#field': field, '#expires': 'expires_at' },
          ExpressionAttributeValues: { ':one': 1, ':expires': this.#expiresAt(new Date(bucket)) },
        }),
      );
    } catch (error) {
      this.#onCountError(
        new AdapterError('DynamoDB', `count ${field} for ${stage}/${type} at ${bucket}`, error),
      );
    }
  }

  #expiresAt(now: Date): number {
    return Math.floor(now.getTime() / 1000) + this.#retentionSeconds;
  }

  #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return adapterCall('DynamoDB', operation, run);
  }
}

function failure(attempt: number, now: Date, error: ErrorSummary, unresolved = false): Transition {
  const at = now.toISOString();
  return {
    set: { status: 'failed', error, lease_until: null, updated_at: at },
    event: {
      status: 'failed',
      at,
      attempt,
      reason: error.reason,
      ...(unresolved ? { unresolved: true } : {}),
    },
  };
}
