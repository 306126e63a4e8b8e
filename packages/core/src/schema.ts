/**
 * The one schema language of Rez: zod/mini (zod v4's tree-shakable functional
 * API over the same core as classic zod), and the wording of its issues.
 * Every boundary — message envelopes, handler payloads, schedules, scheduler
 * input — validates through {@link parseWith}, so every refusal names the
 * field path and says what is wrong in the same words.
 *
 * zod/mini loads no locale: an issue without a message from its schema gets
 * one from {@link describeIssue} here, never zod's generic "Invalid input".
 */
import * as z from 'zod/mini';
import { ValidationError, type ValidationIssue } from './errors';

/** Any schema {@link parseWith} accepts. */
export type Schema<Output = unknown> = z.core.$ZodType<Output>;

/** Turns zod's issues into path + reason pairs a person can act on. */
export function toValidationIssues(error: z.core.$ZodError, prefix = ''): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { path, message: issue.message };
  });
}

const plural = (n: number | bigint, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What a length or size limit counts, by the kind of value it applies to. */
function measure(origin: string, n: number | bigint): string {
  if (origin === 'string') return plural(n, 'character');
  if (origin === 'array' || origin === 'set') return plural(n, 'item');
  return String(n);
}

/**
 * Plain words for zod's issues, used where the schema gave none: what was
 * expected, and for a wrong type what came instead.
 */
export function describeIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      const got =
        issue.input === null ? 'null' : Array.isArray(issue.input) ? 'an array' : typeof issue.input;
      return `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, got ${got}`;
    }
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${measure(issue.origin, issue.minimum)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${measure(issue.origin, issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return 'is not valid here';
  }
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
export function parseWith<S extends Schema>(
  schema: S,
  input: unknown,
  subject: string,
  prefix = '',
): z.output<S> {
  const forbidden = findProtoKey(input);
  if (forbidden !== undefined) {
    const path = [prefix, forbidden].filter(Boolean).join('.');
    throw new ValidationError(subject, [{ path, message: 'is not allowed (a prototype key)' }]);
  }
  const result = z.safeParse(schema, input, { error: describeIssue });
  if (!result.success)
    throw new ValidationError(subject, toValidationIssues(result.error, prefix), result.error);
  return result.data;
}
