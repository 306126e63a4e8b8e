import * as v from 'valibot';
import { defineHandler, emit } from '../registry';
import { oneOf, strictObject } from '../schema';

/**
 * A CloudWatch alarm state change (the worker builds this message from the
 * alarm's SNS notification). It becomes a push that names the alarm, its new
 * state and the reason: max priority when it fires, default when it clears.
 */
export const cloudwatchAlarmHandler = defineHandler({
  type: 'cloudwatch_alarm',
  description: 'Turn a CloudWatch alarm state change into a system alert push',
  payloadSchema: strictObject({
    alarm_name: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
    new_state: oneOf(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
    old_state: v.optional(v.pipe(v.string(), v.maxLength(32))),
    reason: v.pipe(v.string(), v.maxLength(4096)),
    region: v.optional(v.pipe(v.string(), v.maxLength(64))),
    changed_at: v.optional(v.pipe(v.string(), v.maxLength(64))),
    description: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(1024)))),
  }),
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
