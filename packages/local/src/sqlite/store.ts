import {
  AdapterError,
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
  type MessageStatus,
  type MessageStore,
  type Page,
  queuedRecord,
  type RejectOptions,
  rejectedInputMessage,
  type Stage,
  withSessionRevoked,
} from '@rez/core';
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database';
import { type GroupCommit, groupCommit } from './group-commit';
import { listPlan, type Row, toRecord, toRow } from './store-rows';

type CountField = 'created' | 'completed' | 'failed';

interface PendingCount {
  bucket: number;
  stage: Stage;
  type: string;
  created: number;
  completed: number;
  failed: number;
}

/** What a claim reads before it decides; `history` (JSON) only for processing or failed rows. */
type ClaimState = {
  status: MessageStatus;
  lease_until: string | null;
  updated_at: string;
  history: string | null;
};

/**
 * MessageStore on SQLite, with the semantics of the reference
 * InMemoryMessageStore: conditional claim with a lease, lifecycle history,
 * counts pre-aggregated per 5-minute bucket. Each operation is one
 * transaction; the read-then-write ones (claim, reject) take the write lock
 * first so another process cannot claim the same message in between.
 */
export class SqliteMessageStore implements MessageStore {
  readonly #db: SqliteDatabase;
  readonly #group: GroupCommit;
  readonly #s;
  readonly #lists = new Map<string, Statement>();
  readonly #claimTx;
  readonly #completeTx;
  readonly #failTx;
  readonly #rejectTx;
  /** Count increments of the open group, by bucket/stage/type: one upsert per key at commit. */
  #pending = new Map<string, PendingCount>();
  /** Increments of the write running now; they join #pending only if it succeeds. */
  #staged: PendingCount[] = [];

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#group = groupCommit(db);
    const s = {
      insert: db.prepare(
        `INSERT OR IGNORE INTO messages (id, sort_key, type, stage, created_by, created_date, correlation_id,
           causation_id, hop, payload, raw, status, attempts, error, result, ntfy_id, children, history,
           updated_at, lease_until)
         VALUES (@id, @sort_key, @type, @stage, @created_by, @created_date, @correlation_id,
           @causation_id, @hop, @payload, @raw, @status, @attempts, @error, @result, @ntfy_id, @children, @history,
           @updated_at, @lease_until)`,
      ),
      get: db.prepare('SELECT * FROM messages WHERE id = ?'),
      // The history only when a takeover may need it (processing or failed): not on a first claim.
      claimState: db.prepare(
        `SELECT status, lease_until, updated_at,
           CASE WHEN status IN ('processing', 'failed') THEN history END AS history
         FROM messages WHERE id = ?`,
      ),
      claim: db.prepare(
        `UPDATE messages SET status = 'processing', attempts = attempts + 1, lease_until = @lease, updated_at = @now,
           history = json_insert(history, '$[#]', json_object('status', 'processing', 'at', @now, 'attempt', attempts + 1))
         WHERE id = @id`,
      ),
      complete: db.prepare(
        `UPDATE messages SET status = 'completed', result = @result, ntfy_id = @ntfy_id, children = @children,
           error = NULL, lease_until = NULL, updated_at = @now,
           history = json_insert(history, '$[#]', json_object('status', 'completed', 'at', @now, 'attempt', attempts))
         WHERE id = @id RETURNING stage, type`,
      ),
      fail: db.prepare(
        `UPDATE messages SET status = 'failed', error = @error, lease_until = NULL, updated_at = @now,
           history = json_insert(history, '$[#]',
             CASE WHEN @unresolved
               THEN json_object('status', 'failed', 'at', @now, 'attempt', attempts, 'reason', @reason, 'unresolved', json('true'))
               ELSE json_object('status', 'failed', 'at', @now, 'attempt', attempts, 'reason', @reason) END)
         WHERE id = @id RETURNING stage, type`,
      ),
      hold: db.prepare(
        `UPDATE messages SET status = 'held', lease_until = NULL, updated_at = @now,
           history = json_insert(history, '$[#]', json_object('status', 'held', 'at', @now, 'attempt', attempts, 'reason', @reason))
         WHERE id = @id`,
      ),
      note: db.prepare(
        `UPDATE messages SET
           history = json_insert(history, '$[#]', json_object('status', status, 'at', @now, 'reason', @reason, 'by', @by))
         WHERE id = @id`,
      ),
      countAttempt: db.prepare('UPDATE messages SET attempts = attempts + 1 WHERE id = ?'),
      count: db.prepare(
        `INSERT INTO message_counts (bucket, stage, type, created, completed, failed) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (bucket, stage, type) DO UPDATE SET created = created + excluded.created,
           completed = completed + excluded.completed, failed = failed + excluded.failed`,
      ),
      children: db.prepare('SELECT * FROM messages WHERE causation_id = ? ORDER BY sort_key'),
      counts: db.prepare(
        `SELECT bucket, stage, type, created, completed, failed FROM message_counts
         WHERE bucket >= ? AND bucket < ? ORDER BY bucket, stage, type`,
      ),
      sessionState: db.prepare('SELECT epoch, revoked FROM console_sessions WHERE user = ?'),
      putSessionState: db.prepare(
        `INSERT INTO console_sessions (user, epoch, revoked) VALUES (?, ?, ?)
         ON CONFLICT (user) DO UPDATE SET epoch = excluded.epoch, revoked = excluded.revoked`,
      ),
      endSessions: db.prepare(
        `INSERT INTO console_sessions (user, epoch, revoked) VALUES (?, 1, '{}')
         ON CONFLICT (user) DO UPDATE SET epoch = epoch + 1, revoked = '{}' RETURNING epoch`,
      ),
    };
    this.#s = s;
    this.#group.addHook({
      beforeCommit: () => this.#writePending(),
      discard: () => {
        this.#pending = new Map();
      },
    });

    this.#claimTx = (message: Message, now: Date, leaseMs: number): ClaimResult => {
      // Look first: most claims find the record put at submit, and an ignored insert still costs its JSON.
      let state = s.claimState.get(message.id) as ClaimState | undefined;
      if (!state) {
        this.#insert(message, now);
        state = { status: 'queued', lease_until: null, updated_at: now.toISOString(), history: null };
      }
      const blocked = claimBlocker(state, now);
      if (blocked) return { outcome: blocked };
      s.claim.run({
        id: message.id,
        now: now.toISOString(),
        lease: new Date(now.getTime() + leaseMs).toISOString(),
      });
      return claimTakeover({ ...state, history: state.history ? JSON.parse(state.history) : [] });
    };
    this.#completeTx = (id: string, now: Date, result: Record<string, unknown>, children: string[]) => {
      const row = s.complete.get({
        id,
        now: now.toISOString(),
        result: JSON.stringify(result),
        ntfy_id: typeof result.ntfy_id === 'string' ? result.ntfy_id : null,
        children: JSON.stringify(children),
      }) as { stage: Stage; type: string } | undefined;
      if (!row) throw new MessageNotStoredError(id, 'complete');
      this.#count(row.stage, row.type, now, 'completed');
    };
    this.#failTx = (id: string, now: Date, error: ErrorSummary, unresolved = false) => {
      const row = s.fail.get({
        id,
        now: now.toISOString(),
        error: JSON.stringify(error),
        reason: error.reason,
        unresolved: unresolved ? 1 : 0,
      }) as { stage: Stage; type: string } | undefined;
      if (!row) throw new MessageNotStoredError(id, 'fail');
      this.#count(row.stage, row.type, now, 'failed');
    };
    this.#rejectTx = (options: RejectOptions) => {
      const inserted = this.#insert(rejectedInputMessage(options), options.now, options.raw.slice(0, 4096));
      if (!inserted && !s.claimState.get(options.id)) throw new MessageNotStoredError(options.id, 'reject');
      s.countAttempt.run(options.id);
      this.#failTx(options.id, options.now, options.error);
    };
  }

  async put(message: Message, now: Date): Promise<boolean> {
    return this.#write('put', () => this.#insert(message, now));
  }

  async get(id: string): Promise<MessageRecord | null> {
    const row = this.#run('get', () => this.#s.get.get(id) as Row | undefined);
    return row ? toRecord(row) : null;
  }

  async claim(message: Message, options: { now: Date; leaseMs: number }): Promise<ClaimResult> {
    return this.#write('claim', () => this.#claimTx(message, options.now, options.leaseMs));
  }

  async complete(
    id: string,
    options: { now: Date; result: Record<string, unknown>; children?: string[] },
  ): Promise<void> {
    await this.#write('complete', () =>
      this.#completeTx(id, options.now, options.result, options.children ?? []),
    );
  }

  async fail(id: string, options: { now: Date; error: ErrorSummary; unresolved?: boolean }): Promise<void> {
    await this.#write('fail', () => this.#failTx(id, options.now, options.error, options.unresolved));
  }

  async reject(options: RejectOptions): Promise<void> {
    await this.#write('reject', () => this.#rejectTx(options));
  }

  async hold(id: string, options: { now: Date; reason: string }): Promise<void> {
    await this.#write('hold', () => {
      const { changes } = this.#s.hold.run({ id, now: options.now.toISOString(), reason: options.reason });
      if (changes === 0) throw new MessageNotStoredError(id, 'hold');
    });
  }

  async note(id: string, options: { now: Date; by: string; reason: string }): Promise<void> {
    await this.#write('note', () => {
      const { changes } = this.#s.note.run({
        id,
        now: options.now.toISOString(),
        by: options.by,
        reason: options.reason,
      });
      if (changes === 0) throw new MessageNotStoredError(id, 'note');
    });
  }

  async consoleSessionState(user: string): Promise<ConsoleSessionState> {
    return this.#run('read console sessions', () => this.#sessionState(user));
  }

  async revokeConsoleSession(
    user: string,
    session: { id: string; expiresAt: number },
    now: Date,
  ): Promise<void> {
    await this.#write('revoke a console session', () => {
      const next = withSessionRevoked(this.#sessionState(user), session, now);
      this.#s.putSessionState.run(user, next.epoch, JSON.stringify(next.revoked));
    });
  }

  async endConsoleSessions(user: string): Promise<number> {
    return this.#write(
      'end console sessions',
      () => (this.#s.endSessions.get(user) as { epoch: number }).epoch,
    );
  }

  async list(query: ListQuery): Promise<Page<MessageRecord>> {
    const limit = Math.min(Math.max(query.limit ?? 25, 1), 100);
    const plan = listPlan(query);
    const after = query.cursor ? decodeListCursor(query.cursor) : null;
    const sql = plan.sql(after !== null);
    let statement = this.#lists.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#lists.set(sql, statement);
    }
    const params = { ...plan.params, after, limit: limit + 1 };
    const rows = this.#run('list', () => statement.all(params) as Row[]);
    const items = rows.slice(0, limit).map(toRecord);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, cursor: last ? encodeListCursor(last) : null };
  }

  async children(id: string): Promise<MessageRecord[]> {
    return this.#run('children', () => (this.#s.children.all(id) as Row[]).map(toRecord));
  }

  async counts(query: CountQuery): Promise<CountBucket[]> {
    const since = Math.floor(query.since.getTime() / COUNT_BUCKET_MS) * COUNT_BUCKET_MS;
    const rows = this.#run('counts', () => {
      // Increments of the still-open group: into the table first (inside that same
      // transaction), so this connection reads its own writes as before.
      if (this.#db.inTransaction) this.#writePending();
      return this.#s.counts.all(since, query.until.getTime()) as (Omit<CountBucket, 'bucket'> & {
        bucket: number;
      })[];
    });
    return rows
      .filter((r) => !query.stage || r.stage === query.stage)
      .map((r) => ({ ...r, bucket: new Date(r.bucket).toISOString() }));
  }

  #sessionState(user: string): ConsoleSessionState {
    const row = this.#s.sessionState.get(user) as { epoch: number; revoked: string } | undefined;
    return row ? { epoch: row.epoch, revoked: JSON.parse(row.revoked) } : { epoch: 0, revoked: {} };
  }

  /** Inserts a queued record unless the id exists; counts it as created. Runs inside a caller's transaction. */
  #insert(message: Message, now: Date, raw: string | null = null): boolean {
    const { changes } = this.#s.insert.run(toRow(queuedRecord(message, now, raw)));
    if (changes === 0) return false;
    this.#count(message.metadata.stage, message.type, now, 'created');
    return true;
  }

  /**
   * Counts one transition. The increment is staged, and the group's commit
   * writes one upsert per bucket/stage/type for all its writes (instead of one
   * per transition): the counts commit atomically with the rows they count.
   */
  #count(stage: Stage, type: string, now: Date, field: CountField): void {
    const bucket = Math.floor(now.getTime() / COUNT_BUCKET_MS) * COUNT_BUCKET_MS;
    this.#staged.push({
      bucket,
      stage,
      type,
      created: field === 'created' ? 1 : 0,
      completed: field === 'completed' ? 1 : 0,
      failed: field === 'failed' ? 1 : 0,
    });
  }

  /** Upserts the open group's count increments (at its commit, or before a read of the counts). */
  #writePending(): void {
    if (this.#pending.size === 0) return;
    const pending = this.#pending;
    this.#pending = new Map();
    for (const c of pending.values())
      this.#s.count.run(c.bucket, c.stage, c.type, c.created, c.completed, c.failed);
  }

  /** Moves the increments of a write that succeeded into the group's totals. */
  #keepStaged(): void {
    for (const c of this.#staged) {
      const key = `${c.bucket}\u0000${c.stage}\u0000${c.type}`;
      const total = this.#pending.get(key);
      if (!total) this.#pending.set(key, c);
      else {
        total.created += c.created;
        total.completed += c.completed;
        total.failed += c.failed;
      }
    }
    this.#staged = [];
  }

  /** A write, committed with the others of this event-loop turn (see GroupCommit). */
  async #write<T>(operation: string, work: () => T): Promise<T> {
    try {
      return await this.#group.run(() => {
        this.#staged = [];
        try {
          const result = work();
          this.#keepStaged();
          return result;
        } finally {
          // A write that threw is rolled back to its savepoint: so are its increments.
          this.#staged = [];
        }
      });
    } catch (cause) {
      if (cause instanceof MessageNotStoredError) throw cause;
      throw new AdapterError('SQLite message store', operation, cause);
    }
  }

  /** Translates SQLite's errors at the adapter boundary; our own errors pass through. */
  #run<T>(operation: string, work: () => T): T {
    try {
      return work();
    } catch (cause) {
      if (cause instanceof MessageNotStoredError) throw cause;
      throw new AdapterError('SQLite message store', operation, cause);
    }
  }
}
