import { type Clock, decodeMessage, type Message, type Stage, seededId, ValidationError } from '@rez/core';
import type { SQSRecord } from 'aws-lambda';

/**
 * Turns an SQS record body into a Rez message. Accepts:
 * - raw delivery: the body is the message JSON;
 * - an SNS envelope (subscription without raw delivery): the message JSON in `Message`;
 * - a CloudWatch alarm notification in an SNS envelope: becomes a
 *   `cloudwatch_alarm` message with an id derived from the SNS MessageId, so
 *   a redelivered alarm is still one push.
 * Anything else throws a ValidationError that says what the body was.
 */
export function decodeRecordBody(body: string, options: { stage: Stage; clock: Clock }): Message {
  const envelope = parseSnsEnvelope(body);
  if (!envelope) return decodeMessage(body);
  const alarm = parseAlarm(envelope.Message);
  if (alarm) return alarmMessage(envelope, alarm, options);
  return decodeMessage(envelope.Message);
}

/** The queue's receive count for this copy (1 on first delivery). */
export function receiveCount(record: SQSRecord): number {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isFinite(count) && count > 0 ? count : 1;
}

interface SnsEnvelope {
  Type: 'Notification';
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp?: string;
}

function parseSnsEnvelope(body: string): SnsEnvelope | undefined {
  if (!body.startsWith('{') || !body.includes('"TopicArn"')) return undefined;
  try {
    const value = JSON.parse(body) as Partial<SnsEnvelope>;
    if (
      value.Type === 'Notification' &&
      typeof value.Message === 'string' &&
      typeof value.MessageId === 'string'
    ) {
      return value as SnsEnvelope;
    }
  } catch {
    // Not JSON: decodeMessage reports it.
  }
  return undefined;
}

interface CloudWatchAlarm {
  AlarmName: string;
  AlarmDescription?: string | null;
  NewStateValue: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  NewStateReason: string;
  OldStateValue?: string;
  StateChangeTime?: string;
  Region?: string;
}

function parseAlarm(text: string): CloudWatchAlarm | undefined {
  if (!text.includes('"AlarmName"')) return undefined;
  try {
    const value = JSON.parse(text) as Partial<CloudWatchAlarm>;
    if (typeof value.AlarmName === 'string' && typeof value.NewStateValue === 'string')
      return value as CloudWatchAlarm;
  } catch {
    // Not an alarm.
  }
  return undefined;
}

function alarmMessage(
  envelope: SnsEnvelope,
  alarm: CloudWatchAlarm,
  options: { stage: Stage; clock: Clock },
): Message {
  const parsedTime = Date.parse(envelope.Timestamp ?? '');
  const time = Number.isNaN(parsedTime) ? options.clock.now().getTime() : parsedTime;
  const id = seededId(time, `sns:${envelope.MessageId}`);
  if (!alarm.NewStateReason) {
    throw new ValidationError('CloudWatch alarm', [{ path: 'NewStateReason', message: 'is missing' }]);
  }
  return {
    id,
    type: 'cloudwatch_alarm',
    payload: {
      alarm_name: alarm.AlarmName,
      new_state: alarm.NewStateValue,
      old_state: alarm.OldStateValue,
      reason: alarm.NewStateReason.slice(0, 4096),
      region: alarm.Region,
      changed_at: alarm.StateChangeTime,
      description: alarm.AlarmDescription ?? null,
    },
    metadata: {
      created_date: new Date(time).toISOString(),
      created_by: `cloudwatch:${alarm.AlarmName}`.slice(0, 200),
      stage: options.stage,
    },
    correlation_id: id,
    causation_id: null,
    hop: 0,
  };
}
