import * as v from 'valibot';
import { complete, defineHandler } from '../registry';
import { isHttpUrl, strictObject } from '../schema';

export const notifyPayloadSchema = strictObject({
  message: v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(65_536, 'must be at most 65,536 characters'),
  ),
  title: v.optional(v.pipe(v.string(), v.maxLength(250, 'must be at most 250 characters'))),
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
      v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(64, 'each tag must be at most 64 characters'))),
      v.maxLength(10, 'at most 10 tags'),
    ),
  ),
  click: v.optional(v.pipe(v.string(), v.check(isHttpUrl, 'must be an http(s) URL'))),
  markdown: v.optional(v.boolean()),
});

export type NotifyPayload = v.InferOutput<typeof notifyPayloadSchema>;

/**
 * Delivers a push notification through ntfy and completes with ntfy's message id.
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
  async handle(message, { notifier, recovery }) {
    const { message: text, title, priority, tags, click, markdown } = message.payload;
    const notification = {
      message: text,
      title,
      priority: priority as 1 | 2 | 3 | 4 | 5 | undefined,
      tags,
      click,
      markdown,
    };
    if (recovery && notifier.findRecent) {
      const found = await notifier.findRecent(notification, recovery.since);
      if (found) return complete({ ntfy_id: found.id, truncated: found.truncated, recovered: true });
      // Not there: the interrupted push never arrived, so a definite failure of the one
      // below leaves nothing to look for (a timeout after sending still does).
      recovery.settled();
    }
    const delivery = await notifier.publish(notification);
    return complete({ ntfy_id: delivery.id, truncated: delivery.truncated });
  },
});
