import * as v from 'valibot';
import { isStoredMessageId } from '../message';
import { defineHandler, emit } from '../registry';
import { strictObject } from '../schema';
import { fitNotifyPayload } from './notify';

/** The type of the alert a failure that reached the dead-letter queue raises (see PushServices.deadLettered). */
export const MESSAGE_FAILED_TYPE = 'message_failed';

/**
 * A message that failed for good — permanently, or on its last receive —
 * and is in (or on its way to) the dead-letter queue. Emits a push naming
 * it and why; push services give that push a "Retry" button, which redrives
 * that one message. A failure of this alert (or of its push) raises no
 * further alert.
 */
export const messageFailedHandler = defineHandler({
  type: MESSAGE_FAILED_TYPE,
  description: 'Alert that a message reached the dead-letter queue (made by the worker)',
  internal: true,
  payloadSchema: strictObject({
    message_id: v.pipe(v.string(), v.check(isStoredMessageId, 'must be a stored message id')),
    type: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
    code: v.pipe(v.string(), v.maxLength(64)),
    reason: v.pipe(v.string(), v.maxLength(2000)),
    attempts: v.pipe(v.number(), v.integer(), v.minValue(0)),
  }),
  async handle(message) {
    const { message_id, type, reason, attempts } = message.payload;
    return emit({
      type: 'notify',
      payload: fitNotifyPayload({
        title: `Failed: ${type} ${message_id}`,
        message: [
          reason,
          `After ${attempts} attempt${attempts === 1 ? '' : 's'} it is in the dead-letter queue: Retry sends it again once the cause is fixed.`,
        ].join('\n'),
        priority: 3,
        tags: ['warning', `stage-${message.metadata.stage}`],
      }),
    });
  },
});
