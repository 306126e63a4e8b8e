import { z } from 'zod';
import { complete, defineHandler } from '../registry';

export const notifyPayloadSchema = z.strictObject({
  message: z.string().min(1, 'must not be empty').max(65_536, 'must be at most 65,536 characters'),
  title: z.string().max(250, 'must be at most 250 characters').optional(),
  priority: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1 to 5')
    .max(5, 'must be 1 to 5')
    .optional(),
  tags: z
    .array(z.string().min(1).max(64, 'each tag must be at most 64 characters'))
    .max(10, 'at most 10 tags')
    .optional(),
  click: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  markdown: z.boolean().optional(),
});

export type NotifyPayload = z.infer<typeof notifyPayloadSchema>;

/** Delivers a push notification through ntfy and completes with ntfy's message id. */
export const notifyHandler = defineHandler({
  type: 'notify',
  description: 'Send a push notification through ntfy',
  payloadSchema: notifyPayloadSchema,
  async handle(message, { notifier }) {
    const { message: text, title, priority, tags, click, markdown } = message.payload;
    const delivery = await notifier.publish({
      message: text,
      title,
      priority: priority as 1 | 2 | 3 | 4 | 5 | undefined,
      tags,
      click,
      markdown,
    });
    return complete({ ntfy_id: delivery.id, truncated: delivery.truncated });
  },
});
