import * as v from 'valibot';
import { MessageTooLargeError, ValidationError } from './errors';
import { jsonObject, parseWith, strictObject } from './schema';

/** The deployment stages a message can belong to. */
export const STAGES = ['dev', 'stage', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** SNS and SQS both cap a message at 256 KiB; a Rez message must fit in one. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const TYPE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
/**
 * RFC 3339 in UTC ("Z"), seconds required, any fraction, real calendar dates
 * (leap years included): the pattern zod's iso.datetime() used, kept so
 * that what was valid stays valid.
 */
const UTC_TIMESTAMP = new RegExp(
  '^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))' +
    'T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?Z$',
);

/** The transport id inside a rejected input's record id: what SQS (UUIDs) and the local bus (ULIDs) hand out. */
const TRANSPORT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const REJECTED_PREFIX = 'invalid-';

/**
 * The id under which the store records input that never became a message
 * (see MessageStore.reject): `invalid-<transport id>`, so redeliveries of one
 * copy land on one record. A transport id outside letters, digits and
 * `._:-` (none of SQS's or the local bus's) has the others replaced by `_`,
 * so every id the store can hold is one the console can link to and open.
 *
 * @example
 * rejectedInputId('059f36b4-87a3-44ab-83d2-661975830a7d') // 'invalid-059f36b4-87a3-44ab-83d2-661975830a7d'
 */
export function rejectedInputId(transportId: string): string {
  const safe = transportId.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 128);
  return `${REJECTED_PREFIX}${safe || '_'}`;
}

/**
 * Whether `id` is one the message store can hold: a message's ULID or a
 * rejected input's {@link rejectedInputId}. The console's message page and
 * the store's list cursors accept exactly these.
 */
export function isStoredMessageId(id: string): boolean {
  if (ULID.test(id)) return true;
  return id.startsWith(REJECTED_PREFIX) && TRANSPORT_ID.test(id.slice(REJECTED_PREFIX.length));
}

/** {@link isStoredMessageId} as a regular expression's source, for route schemas. */
export const STORED_MESSAGE_ID_PATTERN = `^(?:${ULID.source.slice(1, -1)}|${REJECTED_PREFIX}${TRANSPORT_ID.source.slice(1, -1)})$`;

/** Whether `text` is an RFC 3339 UTC timestamp as message metadata carries it. */
export function isUtcTimestamp(text: string): boolean {
  return UTC_TIMESTAMP.test(text);
}

export const messageIdSchema = v.pipe(
  v.string(),
  v.regex(ULID, 'must be a ULID (26 characters of Crockford base32)'),
);
export const messageTypeSchema = v.pipe(
  v.string(),
  v.regex(TYPE_NAME, 'must be lower snake_case: a letter, then letters, digits or _ (at most 64)'),
);
export const stageSchema = v.picklist(STAGES, `must be one of ${STAGES.join(', ')}`);

export const metadataSchema = strictObject({
  created_date: v.pipe(
    v.string(),
    v.regex(UTC_TIMESTAMP, 'must be an RFC 3339 UTC timestamp such as 2026-01-31T12:00:00.000Z'),
  ),
  created_by: v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(200, 'must be at most 200 characters'),
  ),
  stage: stageSchema,
});

/**
 * The envelope every Rez message travels in, on every transport. `payload`
 * is checked again by the handler registered for `type`.
 */
export const messageSchema = strictObject({
  id: messageIdSchema,
  type: messageTypeSchema,
  payload: jsonObject('must be a JSON object'),
  metadata: metadataSchema,
  correlation_id: messageIdSchema,
  causation_id: v.nullable(messageIdSchema),
  hop: v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(0), v.maxValue(1000)),
});

export type MessageMetadata = v.InferOutput<typeof metadataSchema>;

export interface Message<P extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  type: string;
  payload: P;
  metadata: MessageMetadata;
  /** Id of the root message of this chain (its own id for a root). */
  correlation_id: string;
  /** Id of the message whose handler emitted this one; null for a root. */
  causation_id: string | null;
  /** Number of emit steps from the root (0 for a root). */
  hop: number;
}

/** Validates the envelope (not the payload, see HandlerRegistry.parse). */
export function parseEnvelope(input: unknown): Message {
  return parseWith(messageSchema, input, 'message');
}

/**
 * The message attributes every publisher sends beside the body (String
 * attributes on SNS, carried to the SQS copy by raw delivery; the same
 * pair on the local bus): the one home of their names and values.
 */
export function messageAttributes(message: Message): { type: string; stage: Stage } {
  return { type: message.type, stage: message.metadata.stage };
}

/** The data type every attribute of {@link messageAttributes} is sent with. */
export const MESSAGE_ATTRIBUTE_TYPE = 'String';

/**
 * Size in bytes as SNS and SQS count it against their limit: the JSON body,
 * plus for each message attribute its name, its data type and its value.
 */
export function messageSize(message: Message): number {
  let bytes = Buffer.byteLength(JSON.stringify(message), 'utf8');
  for (const [name, value] of Object.entries(messageAttributes(message)))
    bytes += Buffer.byteLength(name) + Buffer.byteLength(MESSAGE_ATTRIBUTE_TYPE) + Buffer.byteLength(value);
  return bytes;
}

/** Throws {@link MessageTooLargeError} when the message, attributes included, is over 256 KiB. */
export function assertMessageSize(message: Message): void {
  const bytes = messageSize(message);
  if (bytes > MAX_MESSAGE_BYTES) throw new MessageTooLargeError(bytes, MAX_MESSAGE_BYTES);
}

/** Decodes a JSON text into a validated envelope; errors say what is wrong with the text. */
export function decodeMessage(body: string): Message {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    const preview = body.length > 60 ? `${body.slice(0, 60)}…` : body;
    throw new ValidationError(
      'message',
      [{ path: '', message: `body is not JSON (${JSON.stringify(preview)})` }],
      cause,
    );
  }
  return parseEnvelope(parsed);
}
