import {
  fieldsFromPayload,
  RezError,
  ScheduleConflictError,
  ScheduleLimitError,
  ScheduleNotFoundError,
  ScheduleSyncError,
  type UserSchedule,
  ValidationError,
} from '@rez/core';
import {
  type FieldErrors,
  formErrorsFrom,
  MESSAGE_FORM_SCHEMA,
  type MessageForm,
  payloadFromForm,
} from '../messages/form';

/** What the schedule form posts: the schedule's own fields beside a message form's. */
export interface ScheduleForm extends MessageForm {
  name: string;
  description?: string;
  expression?: string;
  timezone?: string;
  /** Checkbox: "on" when enabled. */
  enabled?: string;
  /** The revision the form was made from (edits only). */
  revision?: string;
  /** "preview" shows the next runs without saving; anything else saves. */
  action?: string;
}

/** Generous caps that only stop abuse; core's schedule check gives the real limits and messages. */
export const SCHEDULE_FORM_SCHEMA = {
  type: 'object',
  required: ['type'],
  properties: {
    ...MESSAGE_FORM_SCHEMA.properties,
    name: { type: 'string', maxLength: 256 },
    description: { type: 'string', maxLength: 2_000 },
    expression: { type: 'string', maxLength: 1_000 },
    timezone: { type: 'string', maxLength: 256 },
    enabled: { type: 'string', maxLength: 8 },
    revision: { type: 'string', maxLength: 64 },
    action: { type: 'string', enum: ['save', 'preview'] },
  },
} as const;

/** The schedule input a form describes, or the field errors of its payload fields. */
export function scheduleFromForm(form: ScheduleForm): {
  input: Record<string, unknown> | null;
  errors: FieldErrors;
} {
  const { payload, errors } = payloadFromForm(form);
  if (!payload) return { input: null, errors };
  return {
    input: {
      name: form.name ?? '',
      description: form.description ?? '',
      expression: (form.expression ?? '').trim(),
      timezone: (form.timezone ?? '').trim(),
      type: form.type,
      payload,
      enabled: form.enabled === 'on' || form.enabled === 'true',
    },
    errors: {},
  };
}

/** A stored schedule as the form's fields, to edit it. */
export function formFromSchedule(schedule: UserSchedule): ScheduleForm {
  const fields = fieldsFromPayload(schedule.type, schedule.payload);
  return {
    name: schedule.name,
    description: schedule.description,
    expression: schedule.expression,
    timezone: schedule.timezone,
    type: schedule.type,
    enabled: schedule.enabled ? 'on' : undefined,
    revision: schedule.revision,
    ...fields,
    markdown: fields.markdown === undefined ? undefined : String(fields.markdown),
  };
}

const SCHEDULE_FIELDS = new Set(['name', 'description', 'expression', 'timezone', 'type', 'enabled']);

/**
 * Maps a failure of the schedule service onto the form: the schedule's own
 * fields to themselves, payload issues as the message form maps them, a
 * conflict or limit to the form. Returns null for errors that are not the
 * user's (rethrow those).
 */
export function scheduleErrorsFrom(
  error: unknown,
  type: string,
): { status: number; errors: FieldErrors } | null {
  if (error instanceof ValidationError) {
    const own = error.issues.filter((issue) => SCHEDULE_FIELDS.has(issue.path.split('.')[0]));
    const rest = error.issues.filter((issue) => !own.includes(issue));
    const errors: FieldErrors = rest.length
      ? (formErrorsFrom(new ValidationError('schedule', [...rest]), type)?.errors ?? {})
      : {};
    for (const issue of own) {
      const key = issue.path.split('.')[0];
      errors[key] = errors[key] ? `${errors[key]}; ${issue.message}` : issue.message;
    }
    return { status: 422, errors };
  }
  if (error instanceof ScheduleNotFoundError) return { status: 404, errors: { _form: error.message } };
  if (error instanceof ScheduleConflictError) return { status: 409, errors: { _form: error.message } };
  if (error instanceof ScheduleLimitError) return { status: 409, errors: { _form: error.message } };
  if (error instanceof ScheduleSyncError) return { status: 502, errors: { _form: error.message } };
  if (error instanceof RezError && error.permanent) return { status: 422, errors: { _form: error.message } };
  return null;
}
