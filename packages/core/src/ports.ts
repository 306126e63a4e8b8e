/**
 * Ports: what the domain needs from the outside world. Adapters live in
 * @rez/aws (SNS, SQS, DynamoDB) and @rez/local (SQLite); one conformance
 * suite per port (@rez/core/testing) runs against each of them.
 */
import { ValidationError } from './errors';
import { isStoredMessageId, isUtcTimestamp, type Message, type Stage } from './message';

// ── Notifier ────────────────────────────────────────────────────────────────

/** A push notification, in ntfy's terms. */
export interface Notification {
  /** Defaults to the notifier's configured topic. */
  topic?: string;
  message: string;
  title?: string;
  /** 1 (min) … 5 (max); ntfy's default is 3. */
  priority?: 1 | 2 | 3 | 4 | 5;
  tags?: string[];
  /** URL opened when the notification is tapped. */
  click?: string;
  markdown?: boolean;
  /** Up to three buttons (ntfy's limit): see {@link NotificationAction}. */
  actions?: NotificationAction[];
}

/**
 * One button of a push, as ntfy's JSON publish takes it. `view` opens a URL
 * on the phone; `http` makes the phone send a request (POST unless
 * `method` says otherwise) and shows whether it succeeded.
 */
export type NotificationAction =
  | { action: 'view'; label: string; url: string; clear?: boolean }
  | { action: 'http'; label: string; url: string; method?: 'POST'; clear?: boolean };

/** ntfy accepts at most this many actions on one push (its 40018 otherwise). */
export const MAX_NOTIFICATION_ACTIONS = 3;

/** How a push is to be treated when the ntfy budget runs short (see BudgetedNotifier). */
export interface PublishOptions {
  /**
   * Priority 4–5 and alarms: sent first, out of the reserve the budget keeps
   * for them, and waited for rather than held. Other pushes are refused
   * (an NtfyError `rate_limited` with `held: true`) once the budget runs short.
   */
  urgent?: boolean;
  /**
   * The digest of held pushes (its message id): paced like a normal push,
   * never held itself, and sent only while it holds the budget's digest lease.
   */
  digestId?: string;
}

export interface Delivery {
  /** The id ntfy gave the message. */
  id: string;
  /** True when the body was cut to fit ntfy's 4,096-byte limit. */
  truncated: boolean;
}

export interface Notifier {
  /**
   * Delivers a notification; throws an NtfyError classified as rate-limited,
   * transient or permanent. `options` matter to a notifier that paces sends
   * (BudgetedNotifier); a plain one ignores them.
   */
  publish(notification: Notification, options?: PublishOptions): Promise<Delivery>;
  /**
   * Has this exact notification already been published since `since`? Used
   * to recover an attempt that was interrupted after the server may have
   * accepted its publish, before the store recorded it: the delivery found
   * (or null) decides whether to publish again. Throws like `publish` when
   * it cannot tell. Optional: a notifier without it is simply published to
   * again on recovery (at-least-once).
   *
   * Best effort by nature: it can only see what the server still keeps
   * (ntfy's message cache), and it cannot tell an identical notification
   * sent by someone else to the same topic in the window from ours.
   */
  findRecent?(notification: Notification, since: Date): Promise<Delivery | null>;
}

// ── Bus ─────────────────────────────────────────────────────────────────────

/** The topic side of the bus: every producer publishes here (SNS on AWS). */
export interface MessagePublisher {
  /** Publishes with message attributes `type` and `stage`. */
  publish(message: Message): Promise<void>;
}

/** A message taken from the queue, in transport terms. */
export interface ReceivedMessage {
  /** The transport's id for this copy (SQS MessageId), not the Rez message id. */
  transportId: string;
  receiptHandle: string;
  body: string;
  /** How many times this copy has been received, this time included. */
  receiveCount: number;
  /** When the copy was first sent to the queue. */
  sentAt: Date;
  attributes: Record<string, string>;
}

/** A message that exhausted its receives and sits in the dead-letter queue. */
export interface DeadLetter {
  transportId: string;
  body: string;
  receiveCount: number;
  sentAt: Date;
}

export interface QueueDepth {
  /** Ready to be received. */
  visible: number;
  /** Received, not yet deleted (being processed). */
  inFlight: number;
  /** In the dead-letter queue. */
  dead: number;
}

/** The queue side of the bus (SQS on AWS, SQLite locally). */
export interface MessageQueue {
  receive(options: {
    maxMessages: number;
    visibilityTimeoutSeconds?: number;
    waitSeconds?: number;
  }): Promise<ReceivedMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  /** Hides a received copy for `seconds` more (0 makes it visible at once). */
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** Oldest first; does not change the dead letters. */
  listDeadLetters(options: { limit: number }): Promise<DeadLetter[]>;
  /**
   * Moves dead letters back to the queue: all, or those with the given
   * transport ids, or those whose body is a message with one of the given
   * Rez message ids (a push's Retry). An adapter may bound one call (SQS
   * pages through the DLQ for a few seconds at most, so a console request
   * fits its Lambda's timeout); `more` then says it stopped early and
   * another call goes on.
   */
  redrive(options?: { transportIds?: string[]; messageIds?: string[] }): Promise<RedriveResult>;
}

/** What one {@link MessageQueue.redrive} call did. */
export interface RedriveResult {
  /** Dead letters moved back to the queue by this call. */
  moved: number;
  /** The call stopped on its bound before it had been through the whole DLQ: call again for the rest. */
  more: boolean;
}

// ── Message store ───────────────────────────────────────────────────────────

/**
 * `held`: a push the ntfy budget could not afford now, kept for the next
 * digest push (which completes it); a held message is done as far as the
 * queue is concerned, and a claim of it answers `completed`.
 */
export const MESSAGE_STATUSES = ['queued', 'processing', 'completed', 'failed', 'held'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface ErrorSummary {
  code: string;
  reason: string;
  permanent: boolean;
}

export interface LifecycleEvent {
  status: MessageStatus;
  /** RFC 3339 UTC. */
  at: string;
  attempt?: number;
  reason?: string;
  /** On a failure: the attempt may have had its effect; the next claim answers `reclaimed`. */
  unresolved?: boolean;
  /** On a note ({@link MessageStore.note}): who acted on the message, e.g. `push-action:acknowledge`. */
  by?: string;
}

/** A message and its lifecycle as the store keeps it. */
export interface MessageRecord {
  id: string;
  type: string;
  stage: Stage;
  created_by: string;
  created_date: string;
  correlation_id: string;
  causation_id: string | null;
  hop: number;
  payload: Record<string, unknown>;
  /** For input that could not be decoded into a message: the raw body (cut to 4 KiB). */
  raw: string | null;
  status: MessageStatus;
  /** Processing attempts so far. */
  attempts: number;
  error: ErrorSummary | null;
  result: Record<string, unknown> | null;
  ntfy_id: string | null;
  /** Ids of the messages this one emitted. */
  children: string[];
  history: LifecycleEvent[];
  updated_at: string;
  /** While processing: until when the current attempt holds the message. */
  lease_until: string | null;
}

export type ClaimOutcome = 'claimed' | 'reclaimed' | 'completed' | 'busy';

/**
 * What {@link MessageStore.claim} found. `reclaimed` carries when the work it
 * takes over began, so the new attempt can look for effects the interrupted
 * one may have had (see {@link Notifier.findRecent}).
 */
export type ClaimResult =
  | { outcome: 'claimed' | 'completed' | 'busy' }
  | {
      outcome: 'reclaimed';
      /**
       * When the earliest of the unfinished attempts began: walking the
       * history back from the end over attempts that never ended (crashed,
       * timed out) or failed unresolved, the claim time of the first of them.
       */
      interruptedAt: Date;
    };

export interface ListQuery {
  stage?: Stage;
  status?: MessageStatus;
  type?: string;
  created_by?: string;
  /** 1 … 100, default 25. */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string | null;
}

/** The longest list cursor anyone may hand back (stores issue far shorter ones). */
export const MAX_CURSOR_LENGTH = 512;

/**
 * The list cursor of every store: the sort key of the last record on the
 * page, `<created_date>#<id>`, base64url-encoded so callers treat it as
 * opaque. One rule for every adapter, the console and the CLI.
 *
 * @example
 * const cursor = encodeListCursor(page.items.at(-1)!);
 */
export function encodeListCursor(record: Pick<MessageRecord, 'created_date' | 'id'>): string {
  return Buffer.from(`${record.created_date}#${record.id}`, 'utf8').toString('base64url');
}

/**
 * The sort key inside a cursor from {@link encodeListCursor}. Anything else —
 * too long, not canonical base64url, not a timestamp and a stored id — is
 * refused with a ValidationError on `cursor`, which the console answers
 * with a 400 and the CLI with exit code 2: a cursor comes from outside.
 */
export function decodeListCursor(cursor: string): string {
  const refuse = (why: string) =>
    new ValidationError('list query', [
      { path: 'cursor', message: `is not a cursor this store handed out (${why})` },
    ]);
  if (cursor.length > MAX_CURSOR_LENGTH) throw refuse(`over ${MAX_CURSOR_LENGTH} characters`);
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw refuse('not base64url');
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(key, 'utf8').toString('base64url') !== cursor) throw refuse('not base64url of text');
  const hash = key.indexOf('#');
  if (hash < 0 || !isUtcTimestamp(key.slice(0, hash)) || !isStoredMessageId(key.slice(hash + 1)))
    throw refuse('not a position in the message list');
  return key;
}

export interface Page<T> {
  items: T[];
  /** Pass back to get the next page; null on the last page. */
  cursor: string | null;
}

/** Pre-aggregated lifecycle counts for one time bucket, stage and type. */
export interface CountBucket {
  /** Bucket start, RFC 3339 UTC; buckets are {@link COUNT_BUCKET_MS} wide. */
  bucket: string;
  stage: Stage;
  type: string;
  /** Messages recorded (put or first claimed). */
  created: number;
  completed: number;
  /** Failed attempts. */
  failed: number;
}

/** Width of a count bucket: five minutes. */
export const COUNT_BUCKET_MS = 5 * 60 * 1000;

export interface CountQuery {
  since: Date;
  until: Date;
  stage?: Stage;
}

/** Input that never became a message, as {@link MessageStore.reject} records it. */
export interface RejectOptions {
  /** `invalid-<transport id>`: redeliveries of the same copy land on the same record. */
  id: string;
  raw: string;
  stage: Stage;
  now: Date;
  error: ErrorSummary;
}

/** The stand-in envelope a store keeps for rejected input: type `invalid`, created_by `unknown`. */
export function rejectedInputMessage(options: Pick<RejectOptions, 'id' | 'stage' | 'now'>): Message {
  return {
    id: options.id,
    type: 'invalid',
    payload: {},
    metadata: { created_date: options.now.toISOString(), created_by: 'unknown', stage: options.stage },
    correlation_id: options.id,
    causation_id: null,
    hop: 0,
  };
}

/** The record a store keeps for a message it has just been given: queued, no attempts yet. */
export function queuedRecord(message: Message, now: Date, raw: string | null = null): MessageRecord {
  const at = now.toISOString();
  return {
    id: message.id,
    type: message.type,
    stage: message.metadata.stage,
    created_by: message.metadata.created_by,
    created_date: message.metadata.created_date,
    correlation_id: message.correlation_id,
    causation_id: message.causation_id,
    hop: message.hop,
    payload: message.payload,
    raw,
    status: 'queued',
    attempts: 0,
    error: null,
    result: null,
    ntfy_id: null,
    children: [],
    history: [{ status: 'queued', at }],
    updated_at: at,
    lease_until: null,
  };
}

// ── Console sessions ────────────────────────────────────────────────────────

/**
 * What the server keeps about one console user's sessions; the session
 * itself travels in the user's sealed cookie, which carries its id and the
 * epoch it was signed in under.
 */
export interface ConsoleSessionState {
  /**
   * Sessions signed in under another epoch are over. 0 for a user whose
   * sessions were never ended; {@link ConsoleSessionStore.endConsoleSessions} adds 1.
   */
  epoch: number;
  /** Sessions signed out before they expired: session id → when it expires anyway (epoch ms). */
  revoked: Readonly<Record<string, number>>;
}

/** How many signed-out sessions are remembered per user; one more ends them all (a new epoch). */
export const MAX_REVOKED_SESSIONS = 100;

/**
 * The revocation rule every store applies to a sign-out: forget revocations
 * of sessions expired by `now`, add this one, and past
 * {@link MAX_REVOKED_SESSIONS} end every session instead (the next epoch) —
 * the record stays small, and the safe side is "signed out".
 */
export function withSessionRevoked(
  state: ConsoleSessionState,
  session: { id: string; expiresAt: number },
  now: Date,
): ConsoleSessionState {
  const live = Object.entries(state.revoked).filter(([, expiresAt]) => expiresAt > now.getTime());
  if (session.expiresAt <= now.getTime()) return { epoch: state.epoch, revoked: Object.fromEntries(live) };
  const revoked = Object.fromEntries([...live, [session.id, session.expiresAt]]);
  if (Object.keys(revoked).length > MAX_REVOKED_SESSIONS) return { epoch: state.epoch + 1, revoked: {} };
  return { epoch: state.epoch, revoked };
}

/** Whether a session (its id and the epoch it signed in under) is still on, given its user's state. */
export function consoleSessionLive(
  state: ConsoleSessionState,
  session: { id: string; epoch: number },
): boolean {
  return state.epoch === session.epoch && !Object.hasOwn(state.revoked, session.id);
}

/**
 * Server-side ends of console sessions, kept beside the messages (the same
 * table on DynamoDB, the same database locally): one small record per user,
 * read by key once per signed-in request.
 */
export interface ConsoleSessionStore {
  /** The user's state: one read by key. A user with no record is at epoch 0 with nothing revoked. */
  consoleSessionState(user: string): Promise<ConsoleSessionState>;
  /** Ends one session of `user` (a sign-out), as {@link withSessionRevoked} says. */
  revokeConsoleSession(user: string, session: { id: string; expiresAt: number }, now: Date): Promise<void>;
  /** Ends every session `user` has (the next epoch); returns the new epoch. */
  endConsoleSessions(user: string): Promise<number>;
}

export interface MessageStore extends ConsoleSessionStore {
  /** Records a new message as queued. Returns false (and changes nothing) when the id is already stored. */
  put(message: Message, now: Date): Promise<boolean>;
  get(id: string): Promise<MessageRecord | null>;
  /**
   * Takes the message for one processing attempt; records it first if unknown.
   * `completed`: already done, do nothing (a duplicate delivery).
   * `busy`: another attempt holds an unexpired lease.
   * `claimed`: status is now processing, attempts incremented, leased until now + leaseMs.
   * `reclaimed`: as `claimed`, but the previous attempt did not finish — it
   * was processing and its lease lapsed (a crash, a timeout), or it failed
   * `unresolved` — so it may have had its effect; `interruptedAt` says since
   * when (see {@link interruptedSince}). Learned from the same read/write as
   * the claim itself: no extra round trip.
   */
  claim(message: Message, options: { now: Date; leaseMs: number }): Promise<ClaimResult>;
  /** processing → completed, with the result (and `ntfy_id` when the result has one). */
  complete(
    id: string,
    options: { now: Date; result: Record<string, unknown>; children?: string[] },
  ): Promise<void>;
  /**
   * → failed, with the reason; the attempt count stays as claim set it.
   * `unresolved`: the attempt may have had its effect (it was recovering an
   * interrupted one and could not settle it); recorded on the history event,
   * and the next claim answers `reclaimed` as after an interruption.
   */
  fail(id: string, options: { now: Date; error: ErrorSummary; unresolved?: boolean }): Promise<void>;
  /**
   * processing → held: a push kept for the next digest (see MESSAGE_STATUSES),
   * with why. The digest later completes it with `complete`.
   */
  hold(id: string, options: { now: Date; reason: string }): Promise<void>;
  /**
   * Appends a note to the message's lifecycle — something done to it from
   * outside (`by`, e.g. `push-action:acknowledge`), with what happened —
   * leaving its status and attempts as they are.
   */
  note(id: string, options: { now: Date; by: string; reason: string }): Promise<void>;
  /**
   * Records input that never became a message (not JSON, bad envelope) under
   * `id`, as failed with its reason; repeated calls count attempts.
   */
  reject(options: RejectOptions): Promise<void>;
  /** Newest first, by index: never a scan of the whole store. */
  list(query: ListQuery): Promise<Page<MessageRecord>>;
  /** Messages emitted by `id`, oldest first. */
  children(id: string): Promise<MessageRecord[]>;
  counts(query: CountQuery): Promise<CountBucket[]>;
}

/**
 * For a claim taking over unfinished work: when that work began. Walks the
 * history back from the end over `processing` events (attempts that never
 * recorded an end) and `failed` events marked `unresolved`, and answers the
 * time of the earliest `processing` event passed; undefined when the last
 * attempt ended cleanly. Every adapter computes `interruptedAt` with this.
 */
export function interruptedSince(history: readonly LifecycleEvent[]): Date | undefined {
  let since: string | undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const event = history[i];
    if (event.status === 'processing') since = event.at;
    else if (!(event.status === 'failed' && event.unresolved)) break;
  }
  return since === undefined ? undefined : new Date(since);
}

/**
 * The claim decision every adapter shares, from the record's state before
 * the claim. `null` means the message may be claimed; the caller still
 * writes the claim and then reports {@link claimTakeover}'s answer.
 */
export function claimBlocker(
  state: { status: MessageStatus; lease_until: string | null },
  now: Date,
): 'completed' | 'busy' | null {
  // A held push is done as far as delivery goes: the digest names it.
  if (state.status === 'completed' || state.status === 'held') return 'completed';
  if (state.status === 'processing' && state.lease_until && Date.parse(state.lease_until) > now.getTime())
    return 'busy';
  return null;
}

/**
 * What a successful claim reports, from the record as it was before the
 * claim: `reclaimed` (with when the unfinished work began) when the previous
 * attempt was processing — its lease lapsed, or the claim would have been
 * refused — or failed unresolved; `claimed` otherwise.
 */
export function claimTakeover(previous: {
  status: MessageStatus;
  history: readonly LifecycleEvent[];
  updated_at: string;
}): ClaimResult {
  const last = previous.history.at(-1);
  const unfinished =
    previous.status === 'processing' || (previous.status === 'failed' && last?.unresolved === true);
  if (!unfinished) return { outcome: 'claimed' };
  return {
    outcome: 'reclaimed',
    interruptedAt: interruptedSince(previous.history) ?? new Date(previous.updated_at),
  };
}
