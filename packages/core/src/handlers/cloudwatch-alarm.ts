import * as v from 'valibot';
import { complete, defineHandler, emit } from '../registry';
import { oneOf, strictObject } from '../schema';
import { fitNotifyPayload } from './notify';

export const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** What one alarm state change is worth to the person on call. */
export type AlarmVerdict =
  | { push: true; priority: 3 | 5; heading: string; tag: string; note?: string }
  | { push: false; reason: string };

/**
 * Decides, from the notification's OldStateValue and NewStateValue alone,
 * whether a state change is a push:
 * - → ALARM: the alarm fires (max priority).
 * - → INSUFFICIENT_DATA: a notification for it reaches the alarm topic only
 *   from an alarm whose INSUFFICIENT_DATA actions name that topic — one
 *   configured to alert on missing data (the missed-schedule alarm: no
 *   data = no run) — so it is alarm-grade (max priority).
 * - ALARM → OK (or OK from an unknown state): a recovery (default priority).
 * - INSUFFICIENT_DATA → OK: not pushed, recorded. A new alarm starts in
 *   INSUFFICIENT_DATA and notifies only on a change, so a deploy's first
 *   evaluation lands here and is no recovery. (So does the return of an
 *   alarm that had alerted on missing data: its INSUFFICIENT_DATA push says
 *   that no push will follow.)
 * - OK → OK and the like: no change, not pushed.
 */
export function alarmVerdict(newState: AlarmState, oldState: string | undefined): AlarmVerdict {
  if (newState === 'ALARM') return { push: true, priority: 5, heading: 'ALARM', tag: 'rotating_light' };
  if (newState === 'INSUFFICIENT_DATA') {
    return {
      push: true,
      priority: 5,
      heading: 'NO DATA',
      tag: 'warning',
      note: 'This alarm alerts when its metric has no data. No push follows when it returns to OK: check the console.',
    };
  }
  if (oldState === 'INSUFFICIENT_DATA') {
    return {
      push: false,
      reason:
        'OK after INSUFFICIENT_DATA with no ALARM in between (a new or changed alarm evaluated for the first time): not a recovery, not pushed',
    };
  }
  if (oldState === 'OK') return { push: false, reason: 'OK after OK: no change of state, not pushed' };
  return { push: true, priority: 3, heading: 'OK', tag: 'white_check_mark' };
}

/**
 * A CloudWatch alarm state change (the worker builds this message from the
 * alarm's SNS notification). It becomes a push that names the alarm, its
 * new state and the reason, as {@link alarmVerdict} grades it — or, for a
 * change not worth a push, completes with `pushed: false` and the reason,
 * so the store still records it.
 *
 * An alarm someone acknowledged from its push (context.alarms) is not
 * pushed again until it has returned to OK and fires again: while it is
 * acknowledged every change is recorded, not pushed; its return to OK
 * (recorded, not pushed either) ends the acknowledgement.
 */
export const cloudwatchAlarmHandler = defineHandler({
  type: 'cloudwatch_alarm',
  description: 'Turn a CloudWatch alarm state change into a system alert push',
  payloadSchema: strictObject({
    alarm_name: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
    new_state: oneOf(ALARM_STATES),
    old_state: v.optional(v.pipe(v.string(), v.maxLength(32))),
    reason: v.pipe(v.string(), v.maxLength(4096)),
    region: v.optional(v.pipe(v.string(), v.maxLength(64))),
    changed_at: v.optional(v.pipe(v.string(), v.maxLength(64))),
    description: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(1024)))),
  }),
  async handle(message, { alarms }) {
    const { alarm_name, new_state, old_state, reason, region, changed_at, description } = message.payload;
    const acknowledged = await alarms?.alarmAcknowledgement(alarm_name);
    if (acknowledged) {
      const since = `acknowledged at ${acknowledged.at} from push ${acknowledged.push_id}`;
      if (new_state !== 'OK')
        return complete({ pushed: false, reason: `${since}: held back until it returns to OK` });
      await alarms?.clearAlarmAcknowledgement(alarm_name);
      return complete({
        pushed: false,
        reason: `${since}; back to OK, acknowledgement ended: not pushed (its next ALARM is)`,
      });
    }
    const verdict = alarmVerdict(new_state, old_state);
    if (!verdict.push) return complete({ pushed: false, reason: verdict.reason });
    const lines = [
      `${alarm_name} is ${new_state}${old_state ? ` (was ${old_state})` : ''}`,
      reason,
      description,
      verdict.note,
      [region, changed_at].filter(Boolean).join(' · '),
    ].filter(Boolean);
    return emit({
      type: 'notify',
      payload: fitNotifyPayload({
        title: `${verdict.heading}: ${alarm_name}`,
        message: lines.join('\n'),
        priority: verdict.priority,
        tags: [verdict.tag, `stage-${message.metadata.stage}`],
      }),
    });
  },
});
