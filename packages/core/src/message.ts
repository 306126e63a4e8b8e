import { z } from 'zod';
import { MessageTooLargeError, ValidationError, type ValidationIssue } from './errors';

/** The deployment stages a message can belong to. */
export const STAGES = ['dev', 'stage', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** SNS and SQS both cap a message at 256 KiB; a Rez message must fit in one. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const TYPE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export const messageIdSchema = z.string().regex(ULID, 'must be a ULID (26 characters of Crockford base32)');
export const messageTypeSchema = z
  .string()
  .regex(TYPE_NAME, 'must be lower snake_case: a letter, then letters, digits or _ (at most 64)');
export const stageSchema = z.enum(STAGES, { error: `must be one of ${STAGES.join(', ')}` });

export const metadataSchema = z.strictObject({
  created_date: z.iso.datetime({
    message: 'must be an RFC 3339 UTC timestamp such as 2026-01-31T12:00:00.000Z',
  }),
  created_by: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  stage: stageSchema,
});

/**
 * The envelope every Rez message travels in, on every transport. `payload`
 * is checked again by the handler registered for `type`.
 */
export const messageSchema = z.strictObject({
  id: messageIdSchema,
  type: messageTypeSchema,
  payload: z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }),
  metadata: metadataSchema,
  correlation_id: messageIdSchema,
  causation_id: messageIdSchema.nullable(),
  hop: z.number().int('must be a whole number').min(0).max(1000),
});

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

/** Turns zod's issues into path + reason pairs a person can act on. */
export function toValidationIssues(error: z.ZodError, prefix = ''): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { path, message: issue.message };
  });
}

/** Plain words for zod's most common issues; schema-specific messages win over these. */
function friendlyIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    const got = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'an array' : typeof issue.input;
    return `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, got ${got}`;
  }
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  return undefined;
}

/**
 * JSON.parse keeps a "__proto__" key as an own property, but rebuilding the
 * object (as schemas do) turns it into a prototype assignment and silently
 * drops it. Such input is refused outright, at any depth, so every boundary
 * answers it the same way. Returns the key's dotted path, if any.
 */
function findProtoKey(value: unknown, path = '', depth = 0): string | undefined {
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key === '__proto__') return here;
    const found = findProtoKey((value as Record<string, unknown>)[key], here, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Validates input against a schema, throwing a {@link ValidationError} naming each bad field. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  subject: string,
  prefix = '',
): z.infer<S> {
  const forbidden = findProtoKey(input);
  if (forbidden !== undefined) {
    const path = [prefix, forbidden].filter(Boolean).join('.');
    throw new ValidationError(subject, [{ path, message: 'is not allowed (a prototype key)' }]);
  }
  const result = schema.safeParse(input, { error: friendlyIssue });
  if (!result.success)
    throw new ValidationError(subject, toValidationIssues(result.error, prefix), result.error);
  return result.data;
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
