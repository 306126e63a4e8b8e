/**
 * The one schema language of Rez: valibot, and the wording of its issues.
 * Every boundary — message envelopes, handler payloads, schedules, scheduler
 * input — validates through {@link parseWith}, so every refusal names the
 * field path and says what is wrong in the same words.
 *
 * Why valibot: its schemas are plain objects and its parser has no start-up
 * cost, which matters when nearly every Lambda invocation is a cold start.
 * Measured beside zod v4 and zod/mini with the envelope and notify schemas
 * in one minified bundle: about 10 KiB (zod/mini 32, zod 460), and load plus
 * a first parse about 1 ms over an empty module (zod/mini about 12: zod
 * builds its parsers when a schema is defined and compiles each object parser
 * on its first use).
 *
 * Schemas state their own messages where a person needs specific words;
 * every other issue gets plain words from {@link describeIssue}, never the
 * library's "Invalid type: Expected ... but received ...".
 */
import * as v from 'valibot';
import { ValidationError, type ValidationIssue } from './errors';

/** Any schema {@link parseWith} accepts. */
export type Schema<Output = unknown> = v.GenericSchema<unknown, Output>;

/** What an input is, in the words of a "got …" clause. */
function kindOf(input: unknown): string {
  return input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input;
}

/** A JSON object: not null, not an array, nothing with a prototype of its own. */
export function isJsonObject(input: unknown): input is Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return false;
  const prototype = Object.getPrototypeOf(input);
  return prototype === Object.prototype || prototype === null;
}

/** Any JSON object (a payload); anything else is refused with `message`, by default saying what it got. */
export function jsonObject(message?: string): Schema<Record<string, unknown>> {
  return v.custom<Record<string, unknown>>(
    isJsonObject,
    message ?? ((issue) => `must be an object, got ${kindOf(issue.input)}`),
  );
}

/** An absolute http: or https: URL. */
export function isHttpUrl(input: string): boolean {
  try {
    return /^https?:$/.test(new URL(input).protocol);
  } catch {
    return false;
  }
}

/** Whether an issue is a strict object's report of a field it does not know. */
const isUnknownField = (issue: v.BaseIssue<unknown>) =>
  issue.type === 'strict_object' && issue.expected === 'never';

/**
 * A JSON object with exactly these fields. A field it does not know is one
 * issue at the object's own path that lists every unknown field, after the
 * issues of the known ones. (valibot reports the first unknown key, from the
 * input itself, so "constructor" and "prototype" count too.)
 */
export function strictObject<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    v.custom<Record<string, unknown>>(
      isJsonObject,
      (issue) => `must be an object, got ${kindOf(issue.input)}`,
    ),
    v.strictObject(entries, (issue) => {
      if (!isUnknownField(issue)) return describeIssue(issue);
      const object = issue.path?.at(-1)?.input as Record<string, unknown>;
      const unknown = Object.keys(object).filter((key) => !Object.hasOwn(entries, key));
      return `unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`;
    }),
  );
}

/** One of `values`, refused with their list. */
export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  message = `must be one of ${values.map((value) => JSON.stringify(value)).join(', ')}`,
) {
  return v.picklist(values, message);
}

const ARTICLE: Record<string, string> = { array: 'an array', Array: 'an array', Object: 'an object' };

/** What a length limit counts: characters of a string, items of anything else. */
function measure(input: unknown, n: unknown): string {
  const unit = typeof input === 'string' ? 'character' : 'item';
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * Plain words for an issue whose schema gave no message: what was expected,
 * and for a wrong type what came instead.
 */
export function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.kind === 'schema') {
    if (issue.input === undefined) return 'is required';
    const expected = issue.expected ?? 'something else';
    return `must be ${ARTICLE[expected] ?? `a ${expected}`}, got ${kindOf(issue.input)}`;
  }
  const requirement = (issue as { requirement?: unknown }).requirement;
  switch (issue.type) {
    case 'min_length':
      if (requirement === 1 && typeof issue.input === 'string') return 'must not be empty';
      return `must be at least ${measure(issue.input, requirement)}`;
    case 'max_length':
      return `must be at most ${measure(issue.input, requirement)}`;
    case 'min_value':
      return `must be at least ${requirement}`;
    case 'max_value':
      return `must be at most ${requirement}`;
    case 'integer':
      return 'must be a whole number';
    default:
      return 'is not valid here';
  }
}

/** Turns valibot's issues into path + reason pairs a person can act on. */
export function toValidationIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ''): ValidationIssue[] {
  return issues.map((issue) => {
    const keys = (issue.path ?? []).map((item) => String(item.key));
    // An unknown field is a fault of the object that holds it: report it there.
    if (isUnknownField(issue)) keys.pop();
    return { path: [prefix, ...keys].filter(Boolean).join('.'), message: issue.message };
  });
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
): v.InferOutput<S> {
  const forbidden = findProtoKey(input);
  if (forbidden !== undefined) {
    const path = [prefix, forbidden].filter(Boolean).join('.');
    throw new ValidationError(subject, [{ path, message: 'is not allowed (a prototype key)' }]);
  }
  // abortPipeEarly: one reason per field, the first rule it breaks.
  const result = v.safeParse(schema, input, { message: describeIssue, abortPipeEarly: true });
  if (!result.success)
    throw new ValidationError(subject, toValidationIssues(result.issues, prefix), result.issues);
  return result.output;
}
