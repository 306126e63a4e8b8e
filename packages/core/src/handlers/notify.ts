import * as v from 'valibot';
import { NtfyError } from '../errors';
import type { Message } from '../message';
import type { Notification } from '../ports';
import { complete, defineHandler, hold } from '../registry';
import { isHttpUrl, strictObject } from '../schema';

/**
 * The notify payload's limits, in the units its schema counts (characters
 * are UTF-16 code units, as valibot's maxLength counts them): the schema
 * below and {@link fitNotifyPayload} both read them.
 */
export const NOTIFY_LIMITS = { message: 65_536, title: 250, tags: 10, tag: 64 } as const;

export const notifyPayloadSchema = strictObject({
  message: v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(NOTIFY_LIMITS.message, 'must be at most 65,536 characters'),
  ),
  title: v.optional(v.pipe(v.string(), v.maxLength(NOTIFY_LIMITS.title, 'must be at most 250 characters'))),
  priority: v.optional(
    v.pipe(
      v.number(),
      v.integer('must be a whole number'),
      v.minValue(1, 'must be 1 to 5'),
      v.maxValue(5, 'must be 1 to 5'),
    ),
  ),
  tags: v.optional(
    v.pipe(
      v.array(
        v.pipe(
          v.string(),
          v.minLength(1),
          v.maxLength(NOTIFY_LIMITS.tag, 'each tag must be at most 64 characters'),
        ),
      ),
      v.maxLength(NOTIFY_LIMITS.tags, 'at most 10 tags'),
    ),
  ),
  click: v.optional(v.pipe(v.string(), v.check(isHttpUrl, 'must be an http(s) URL'))),
  markdown: v.optional(v.boolean()),
});

export type NotifyPayload = v.InferOutput<typeof notifyPayloadSchema>;

/**
 * `text` cut to at most `max` characters (UTF-16 code units), at a code
 * point boundary — never half of a surrogate pair — with "…" marking a cut.
 *
 * @example
 * cutText('a'.repeat(300), 250).length // 250, ending in '…'
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate whose pair would be cut off
  return `${text.slice(0, end)}…`;
}

/**
 * A notify payload its schema accepts, whatever a handler built it from:
 * title and message cut to their limits at a character boundary (an empty
 * message says so), at most 10 non-empty tags of at most 64 characters. A
 * handler that emits a notify builds its payload with this, so it never
 * emits a child its own schema refuses (which would dead-letter the parent).
 *
 * @example
 * return emit({ type: 'notify', payload: fitNotifyPayload({ title: `ALARM: ${name}`, message: reason }) });
 */
export function fitNotifyPayload(payload: NotifyPayload): NotifyPayload {
  const tags = payload.tags
    ?.filter((tag) => tag.length > 0)
    .slice(0, NOTIFY_LIMITS.tags)
    .map((tag) => cutText(tag, NOTIFY_LIMITS.tag));
  return {
    ...payload,
    message: cutText(payload.message || '(no text)', NOTIFY_LIMITS.message),
    ...(payload.title === undefined ? {} : { title: cutText(payload.title, NOTIFY_LIMITS.title) }),
    ...(tags === undefined ? {} : { tags }),
  };
}

/** Who makes alarm pushes: they always go first, whatever their priority (an alarm's OK is 3). */
const ALARM_PUSH_CREATOR = 'handler:cloudwatch_alarm';

/** Whether a push goes first: priority 4–5, and every alarm push. */
export function isUrgentPush(message: Pick<Message, 'metadata'>, priority: number | undefined): boolean {
  return (priority ?? 3) >= 4 || message.metadata.created_by === ALARM_PUSH_CREATOR;
}

/**
 * Delivers a push notification through ntfy and completes with ntfy's message id.
 *
 * Links and buttons: with push services (context.push) the push opens its
 * message's console page when tapped (an explicit `click` in the payload
 * wins), and carries an "Open" button and the action buttons for what it is
 * about (see PushServices.links).
 *
 * Budget: a push of priority 4–5 or an alarm's is urgent and always goes
 * first. Any other push the ntfy budget cannot afford now — or that ntfy
 * refuses with a 429 — is held (status `held`) when push services hold
 * pushes, and the next digest push names it; without them the 429 is
 * thrown and the queue brings the message back after the wait.
 *
 * Recovery: when a previous attempt was interrupted after ntfy may have
 * accepted its publish (context.recovery) and the notifier can look
 * (Notifier.findRecent), it first asks ntfy whether this exact notification
 * was published since then; if so it completes with that id and
 * `recovered: true` instead of pushing again. If the lookup fails the attempt
 * fails (and the next one looks again): never a blind re-send. If it finds
 * nothing, the question is settled: should the push then fail outright (a
 * 5xx, a 429), the next attempt pushes without looking — each look is one
 * more request that can fail, and a message must not spend its receives on
 * looking again for a push already known not to have happened.
 *
 * Residual risk: the lookup reads ntfy's message cache, so on a server with
 * the cache disabled (or a shorter cache than the redelivery delay) nothing
 * is found and the push repeats; and an identical notification (same topic,
 * text, title, priority and tags) published by anyone else inside the
 * window is taken for ours, so ours is not sent. The ntfy token must be
 * allowed to read the topic, or every lookup fails (403) and an interrupted
 * message ends in the DLQ instead of being sent.
 */
export const notifyHandler = defineHandler({
  type: 'notify',
  description: 'Send a push notification through ntfy',
  payloadSchema: notifyPayloadSchema,
  async handle(message, { notifier, recovery, push }) {
    const { message: text, title, priority, tags, click, markdown } = message.payload;
    const links = push ? await push.links(message) : { actions: [] };
    const notification: Notification = {
      message: text,
      title,
      priority: priority as 1 | 2 | 3 | 4 | 5 | undefined,
      tags,
      click: click ?? links.click,
      markdown,
      ...(links.actions.length ? { actions: links.actions } : {}),
    };
    const urgent = isUrgentPush(message, priority);
    try {
      if (recovery && notifier.findRecent) {
        const found = await notifier.findRecent(notification, recovery.since);
        if (found) return complete({ ntfy_id: found.id, truncated: found.truncated, recovered: true });
        // Not there: the interrupted push never arrived, so a definite failure of the one
        // below leaves nothing to look for (a timeout after sending still does).
        recovery.settled();
      }
      const delivery = await notifier.publish(notification, { urgent });
      return complete({ ntfy_id: delivery.id, truncated: delivery.truncated });
    } catch (error) {
      if (!urgent && push?.holds && error instanceof NtfyError && error.kind === 'rate_limited')
        return hold(`held for the next digest: ${error.message}`);
      throw error;
    }
  },
});
