import * as z from 'zod/mini';
import { defineHandler, emit } from '../registry';

/**
 * A CloudWatch alarm state change (the worker builds this message from the
 * alarm's SNS notification). It becomes a push that names the alarm, its new
 * state and the reason: max priority when it fires, default when it clears.
 */
export const cloudwatchAlarmHandler = defineHandler({
  type: 'cloudwatch_alarm',
  description: 'Turn a CloudWatch alarm state change into a system alert push',
  payloadSchema: z.lazy(() =>
    z.strictObject({
      alarm_name: z.string().check(z.minLength(1), z.maxLength(255)),
      new_state: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
      old_state: z.optional(z.string().check(z.maxLength(32))),
      reason: z.string().check(z.maxLength(4096)),
      region: z.optional(z.string().check(z.maxLength(64))),
      changed_at: z.optional(z.string().check(z.maxLength(64))),
      description: z.optional(z.nullable(z.string().check(z.maxLength(1024)))),
    }),
  ),
  async handle(message) {
    const { alarm_name, new_state, old_state, reason, region, changed_at } = message.payload;
    const firing = new_state === 'ALARM';
    const lines = [
      `${alarm_name} is ${new_state}${old_state ? ` (was ${old_state})` : ''}`,
      reason,
      [region, changed_at].filter(Boolean).join(' · '),
    ].filter(Boolean);
    return emit({
      type: 'notify',
      payload: {
        title: `${firing ? 'ALARM' : new_state}: ${alarm_name}`,
        message: lines.join('\n'),
        priority: firing ? 5 : 3,
        tags: [firing ? 'rotating_light' : 'white_check_mark', `stage-${message.metadata.stage}`],
      },
    });
  },
});
