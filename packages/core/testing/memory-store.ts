import {
  type ClaimResult,
  COUNT_BUCKET_MS,
  type ConsoleSessionState,
  type CountBucket,
  type CountQuery,
  claimBlocker,
  claimTakeover,
  decodeListCursor,
  type ErrorSummary,
  encodeListCursor,
  type ListQuery,
  type Message,
  MessageNotStoredError,
  type MessageRecord,
  type MessageStore,
  type Page,
  queuedRecord,
  type RejectOptions,
  rejectedInputMessage,
  type Stage,
  withSessionRevoked,
} from '../src';

/**
 * The reference MessageStore: plain maps, no persistence. It passes the same
 * conformance suite as the SQLite and DynamoDB adapters and serves as the
 * store in unit tests of the handlers and the console.
 */
export class InMemoryMessageStore implements MessageStore {
  readonly records = new Map<string, MessageRecord>();
  readonly #counts = new Map<string, CountBucket>();
  readonly #sessions = new Map<string, ConsoleSessionState>();

  async put(message: Message, now: Date): Promise<boolean> {
    if (this.records.has(message.id)) return false;
    this.records.set(message.id, queuedRecord(message, now));
    this.#count(message.metadata.stage, message.type, now, 'created');
    return true;
  }

  async get(id: string): Promise<MessageRecord | null> {
    const record = this.records.get(id);
    return record ? structuredClone(record) : null;
  }

  async claim(message: Message, { now, leaseMs }: { now: Date; leaseMs: number }): Promise<ClaimResult> {
    await this.put(message, now);
    const record = this.#must(message.id, 'claim');
    const blocked = claimBlocker(record, now);
    if (blocked) return { outcome: blocked };
    const result = claimTakeover(record);
    record.attempts += 1;
    record.status = 'processing';
    record.lease_until = new Date(now.getTime() + leaseMs).toISOString();
    record.updated_at = now.toISOString();
    record.history.push({ status: 'processing', at: now.toISOString(), attempt: record.attempts });
    return result;
  }

  async complete(
    id: string,
    options: { now: Date; result: Record<string, unknown>; children?: string[] },
  ): Promise<void> {
    const record = this.#must(id, 'complete');
    record.status = 'completed';
    record.result = options.result;
    record.ntfy_id = typeof options.result.ntfy_id === 'string' ? options.result.ntfy_id : null;
    record.children = options.children ?? [];
    record.error = null;
    record.lease_until = null;
    record.updated_at = options.now.toISOString();
    record.history.push({ status: 'completed', at: options.now.toISOString(), attempt: record.attempts });
    this.#count(record.stage, record.type, options.now, 'completed');
  }

  async fail(
    id: string,
    { now, error, unresolved }: { now: Date; error: ErrorSummary; unresolved?: boolean },
  ): Promise<void> {
    const record = this.#must(id, 'fail');
    record.status = 'failed';
    record.error = error;
    record.lease_until = null;
    record.updated_at = now.toISOString();
    record.history.push({
      status: 'failed',
      at: now.toISOString(),
      attempt: record.attempts,
      reason: error.reason,
      ...(unresolved ? { unresolved: true } : {}),
    });
    this.#count(record.stage, record.type, now, 'failed');
  }

  async hold(id: string, { now, reason }: { now: Date; reason: string }): Promise<void> {
    const record = this.#must(id, 'hold');
    record.status = 'held';
    record.lease_until = null;
    record.updated_at = now.toISOString();
    record.history.push({ status: 'held', at: now.toISOString(), attempt: record.attempts, reason });
  }

  async note(id: string, { now, by, reason }: { now: Date; by: string; reason: string }): Promise<void> {
    const record = this.#must(id, 'note');
    record.history.push({ status: record.status, at: now.toISOString(), reason, by });
  }

  async reject(options: RejectOptions): Promise<void> {
    let record = this.records.get(options.id);
    if (!record) {
      record = {
        ...queuedRecord(rejectedInputMessage(options), options.now),
        raw: options.raw.slice(0, 4096),
      };
      this.records.set(options.id, record);
      this.#count(options.stage, 'invalid', options.now, 'created');
    }
    record.attempts += 1;
    await this.fail(options.id, options);
  }

  async list(query: ListQuery): Promise<Page<MessageRecord>> {
    const limit = Math.min(Math.max(query.limit ?? 25, 1), 100);
    const after = query.cursor ? decodeListCursor(query.cursor) : null;
    const matches = [...this.records.values()]
      .filter(
        (r) =>
          (!query.stage || r.stage === query.stage) &&
          (!query.status || r.status === query.status) &&
          (!query.type || r.type === query.type) &&
          (!query.created_by || r.created_by === query.created_by),
      )
      .sort((a, b) => sortKey(b).localeCompare(sortKey(a)))
      .filter((r) => after === null || sortKey(r) < after);
    const items = matches.slice(0, limit);
    const cursor = matches.length > limit ? encodeListCursor(items[items.length - 1]) : null;
    return { items: items.map((r) => structuredClone(r)), cursor };
  }

  async children(id: string): Promise<MessageRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.causation_id === id)
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)))
      .map((r) => structuredClone(r));
  }

  async counts(query: CountQuery): Promise<CountBucket[]> {
    return [...this.#counts.values()]
      .filter((b) => {
        const t = Date.parse(b.bucket);
        return (
          t >= bucketStart(query.since) &&
          t < query.until.getTime() &&
          (!query.stage || b.stage === query.stage)
        );
      })
      .map((b) => ({ ...b }))
      .sort(
        (a, b) =>
          a.bucket.localeCompare(b.bucket) || a.stage.localeCompare(b.stage) || a.type.localeCompare(b.type),
      );
  }

  async consoleSessionState(user: string): Promise<ConsoleSessionState> {
    const state = this.#sessions.get(user);
    return state ? structuredClone(state) : { epoch: 0, revoked: {} };
  }

  async revokeConsoleSession(
    user: string,
    session: { id: string; expiresAt: number },
    now: Date,
  ): Promise<void> {
    this.#sessions.set(user, withSessionRevoked(await this.consoleSessionState(user), session, now));
  }

  async endConsoleSessions(user: string): Promise<number> {
    const epoch = (await this.consoleSessionState(user)).epoch + 1;
    this.#sessions.set(user, { epoch, revoked: {} });
    return epoch;
  }

  #count(stage: Stage, type: string, now: Date, field: 'created' | 'completed' | 'failed'): void {
    const bucket = new Date(bucketStart(now)).toISOString();
    const key = `${bucket}|${stage}|${type}`;
    const entry = this.#counts.get(key) ?? { bucket, stage, type, created: 0, completed: 0, failed: 0 };
    entry[field] += 1;
    this.#counts.set(key, entry);
  }

  #must(id: string, operation: string): MessageRecord {
    const record = this.records.get(id);
    if (!record) throw new MessageNotStoredError(id, operation);
    return record;
  }
}

export function bucketStart(time: Date): number {
  return Math.floor(time.getTime() / COUNT_BUCKET_MS) * COUNT_BUCKET_MS;
}

function sortKey(record: MessageRecord): string {
  return `${record.created_date}#${record.id}`;
}
