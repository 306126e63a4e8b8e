import {
  type FieldErrors,
  type HandlerRegistry,
  MessageTooLargeError,
  NOTIFY_FIELDS,
  payloadFromFields,
  UnknownMessageTypeError,
  ValidationError,
} from '@rez/core';

export type { FieldErrors } from '@rez/core';

/**
 * The message type a form shows (the posted one when it is handled, else
 * notify) and the types it offers: every handler but Rez's own (`internal`:
 * digests, failure alerts). Shared by the message and schedule forms.
 */
export function typeChoices(registry: HandlerRegistry, posted: string | undefined) {
  return {
    type: posted && registry.has(posted) ? posted : 'notify',
    types: registry
      .handlers()
      .filter((h) => !h.internal)
      .map((h) => ({ type: h.type, description: h.description })),
  };
}

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

/**
 * Turns the posted strings into a payload for `type`: the notify fields for
 * notify, the JSON box for any other type (core's payloadFromFields, the
 * one home of how a form's or the CLI's fields become a payload). What the
 * payload must contain is the handler schema's business, checked when sent.
 */
export function payloadFromForm(form: MessageForm): {
  payload: Record<string, unknown> | null;
  errors: FieldErrors;
} {
  if (form.type === 'notify') {
    const { title, message, priority, tags, click, markdown } = form;
    return payloadFromFields({ title, message: message ?? '', priority, tags, click, markdown });
  }
  return payloadFromFields({ payload: form.payload });
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
