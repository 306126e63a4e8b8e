import { MessageTooLargeError, UnknownMessageTypeError, ValidationError } from '@rez/core';

/** What the new-message form posts (every field a string, as HTML forms send them). */
export interface MessageForm {
  type: string;
  title?: string;
  message?: string;
  priority?: string;
  tags?: string;
  click?: string;
  markdown?: string;
  /** JSON object, for types without a dedicated form. */
  payload?: string;
}

/** Field name → what is wrong with it; `_form` for problems with no field. */
export type FieldErrors = Record<string, string>;

/**
 * Generous caps on the small fields that only stop abuse; the handler's
 * schema gives the real limits and messages. `message` and `payload` have
 * none here: the body limit bounds them, and what refuses one is the
 * message's own size or its handler's schema, with a field error.
 */
export const MESSAGE_FORM_SCHEMA = {
  type: 'object',
  required: ['type'],
  properties: {
    _csrf: { type: 'string', maxLength: 256 },
    type: { type: 'string', maxLength: 64 },
    title: { type: 'string', maxLength: 10_000 },
    message: { type: 'string' },
    priority: { type: 'string', maxLength: 16 },
    tags: { type: 'string', maxLength: 2_000 },
    click: { type: 'string', maxLength: 4_096 },
    markdown: { type: 'string', maxLength: 8 },
    payload: { type: 'string' },
  },
} as const;

/** The fields of the notify form, in the order the view shows them. */
export const NOTIFY_FIELDS = ['title', 'message', 'priority', 'tags', 'click', 'markdown'] as const;

/**
 * Turns the posted strings into a payload for `type`. Only the conversions a
 * form needs happen here (numbers, lists, checkbox, JSON); what the payload
 * must contain is the handler schema's business, checked by submitMessage.
 */
export function payloadFromForm(form: MessageForm): {
  payload: Record<string, unknown> | null;
  errors: FieldErrors;
} {
  const errors: FieldErrors = {};
  if (form.type === 'notify') {
    const payload: Record<string, unknown> = { message: form.message ?? '' };
    if (form.title) payload.title = form.title;
    if (form.priority) {
      if (/^\d+$/.test(form.priority)) payload.priority = Number(form.priority);
      else errors.priority = `must be a whole number from 1 to 5, got "${form.priority}"`;
    }
    const tags = (form.tags ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
    if (tags.length > 0) payload.tags = tags;
    if (form.click) payload.click = form.click;
    if (form.markdown === 'on' || form.markdown === 'true') payload.markdown = true;
    return { payload: Object.keys(errors).length ? null : payload, errors };
  }
  const text = (form.payload ?? '').trim();
  if (text === '') return { payload: {}, errors };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { payload: null, errors: { payload: `is not valid JSON: ${(error as Error).message}` } };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { payload: null, errors: { payload: 'must be a JSON object such as {"greeting": "hi"}' } };
  }
  return { payload: parsed as Record<string, unknown>, errors };
}

/**
 * Maps a submitMessage failure onto the form: payload issues to their field
 * (notify) or to the JSON box (other types), anything else to the form.
 * Returns null for errors that are not the user's input (rethrow those).
 */
export function formErrorsFrom(error: unknown, type: string): { status: number; errors: FieldErrors } | null {
  if (error instanceof ValidationError) {
    const errors: FieldErrors = {};
    for (const issue of error.issues) {
      const [head, field, ...rest] = issue.path.split('.');
      let key = '_form';
      let message = issue.path ? `${issue.path}: ${issue.message}` : issue.message;
      if (
        head === 'payload' &&
        type === 'notify' &&
        field &&
        (NOTIFY_FIELDS as readonly string[]).includes(field)
      ) {
        key = field;
        message = rest.length ? `${rest.join('.')}: ${issue.message}` : issue.message;
      } else if (head === 'payload' && type !== 'notify') {
        key = 'payload';
        message = field ? `${[field, ...rest].join('.')}: ${issue.message}` : issue.message;
      } else if (head === 'payload' && !field) {
        key = 'message';
      }
      errors[key] = errors[key] ? `${errors[key]}; ${message}` : message;
    }
    return { status: 422, errors };
  }
  if (error instanceof MessageTooLargeError) {
    return { status: 413, errors: { [type === 'notify' ? 'message' : 'payload']: error.message } };
  }
  if (error instanceof UnknownMessageTypeError) return { status: 422, errors: { type: error.message } };
  return null;
}
