import * as z from 'zod/mini';
import { MessageTooLargeError, ValidationError } from './errors';
import { parseWith } from './schema';

/** The deployment stages a message can belong to. */
export const STAGES = ['dev', 'stage', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** SNS and SQS both cap a message at 256 KiB; a Rez message must fit in one. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const TYPE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export const messageIdSchema = z
  .string()
  .check(z.regex(ULID, 'must be a ULID (26 characters of Crockford base32)'));
export const messageTypeSchema = z
  .string()
  .check(z.regex(TYPE_NAME, 'must be lower snake_case: a letter, then letters, digits or _ (at most 64)'));
export const stageSchema = z.enum(STAGES, { error: `must be one of ${STAGES.join(', ')}` });

export const metadataSchema = z.lazy(() =>
  z.strictObject({
    created_date: z.iso.datetime({
      message: 'must be an RFC 3339 UTC timestamp such as 2026-01-31T12:00:00.000Z',
    }),
    created_by: z
      .string()
      .check(z.minLength(1, 'must not be empty'), z.maxLength(200, 'must be at most 200 characters')),
    stage: stageSchema,
  }),
);

/**
 * The envelope every Rez message travels in, on every transport. `payload`
 * is checked again by the handler registered for `type`.
 */
export const messageSchema = z.lazy(() =>
  z.strictObject({
    id: messageIdSchema,
    type: messageTypeSchema,
    payload: z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }),
    metadata: metadataSchema,
    correlation_id: messageIdSchema,
    causation_id: z.nullable(messageIdSchema),
    hop: z.number().check(z.int('must be a whole number'), z.gte(0), z.lte(1000)),
  }),
);

export type MessageMetadata = z.infer<typeof metadataSchema>;

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

/** Serialized size in bytes, as SNS/SQS count it. */
export function messageSize(message: Message): number {
  return Buffer.byteLength(JSON.stringify(message), 'utf8');
}

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
