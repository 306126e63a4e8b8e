/**
 * How a payload is read from text fields — the console's forms and the
 * CLI's flags — and written back into them (to prefill a form). One home,
 * so `--priority high` and a form's "high" are refused in the same words,
 * and a schedule, a replay and a new message read the same fields the same way.
 */
import { isJsonObject } from './schema';

/** The notify payload's fields, as text inputs, in the order forms show them. */
export const NOTIFY_FIELDS = ['title', 'message', 'priority', 'tags', 'click', 'markdown'] as const;

export type NotifyField = (typeof NOTIFY_FIELDS)[number];

/**
 * A payload as text fields: `payload` is a JSON object (any type); the
 * notify fields fill or override the notify payload's fields. A checkbox
 * posts "on"; the CLI passes `true`.
 */
export interface PayloadFields {
  payload?: string;
  message?: string;
  title?: string;
  priority?: string;
  tags?: string;
  click?: string;
  markdown?: string | boolean;
}

/** Field name → what is wrong with it. */
export type FieldErrors = Record<string, string>;

/**
 * Builds a payload from text fields: the JSON object in `payload` (if any),
 * then each notify field given on top (`message` even when empty, so the
 * schema can say it must not be; `title` and `click` only when not empty;
 * `priority` a whole number 1–5; `tags` comma-separated; `markdown` on).
 * Only conversions happen here; what the payload must hold is the type's
 * schema's business. Returns the payload, or null with the errors by field.
 *
 * @example
 * payloadFromFields({ message: 'Stand-up', priority: '4', tags: 'team, daily' });
 * // { payload: { message: 'Stand-up', priority: 4, tags: ['team', 'daily'] }, errors: {} }
 */
export function payloadFromFields(fields: PayloadFields): {
  payload: Record<string, unknown> | null;
  errors: FieldErrors;
} {
  const errors: FieldErrors = {};
  let payload: Record<string, unknown> = {};
  const text = (fields.payload ?? '').trim();
  if (text !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return { payload: null, errors: { payload: `is not valid JSON: ${(error as Error).message}` } };
    }
    if (!isJsonObject(parsed))
      return { payload: null, errors: { payload: 'must be a JSON object such as {"greeting": "hi"}' } };
    payload = parsed;
  }
  if (fields.message !== undefined) payload.message = fields.message;
  if (fields.title) payload.title = fields.title;
  if (fields.click) payload.click = fields.click;
  if (fields.priority) {
    if (/^[1-5]$/.test(fields.priority.trim())) payload.priority = Number(fields.priority.trim());
    else errors.priority = `must be a whole number from 1 to 5, got "${fields.priority}"`;
  }
  if (fields.tags !== undefined) {
    const tags = fields.tags
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
    if (tags.length > 0) payload.tags = tags;
  }
  if (fields.markdown === true || fields.markdown === 'on' || fields.markdown === 'true')
    payload.markdown = true;
  return { payload: Object.keys(errors).length ? null : payload, errors };
}

/**
 * The text fields that show `payload` in a form for `type`: the notify
 * fields for notify, the whole payload as indented JSON for any other type.
 * The inverse of {@link payloadFromFields} for what a form can hold.
 */
export function fieldsFromPayload(type: string, payload: Record<string, unknown>): PayloadFields {
  if (type !== 'notify') return { payload: JSON.stringify(payload, null, 2) };
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    message: text(payload.message) ?? '',
    title: text(payload.title),
    priority: typeof payload.priority === 'number' ? String(payload.priority) : undefined,
    tags: Array.isArray(payload.tags) ? payload.tags.join(', ') : undefined,
    click: text(payload.click),
    markdown: payload.markdown === true ? 'on' : undefined,
  };
}
