import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** AWS's guidance for SQS event sources: visibility timeout at least six times the function timeout. */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

/** SQS keeps a message at most 14 days; the DLQ always keeps the maximum. */
export const DEAD_LETTER_RETENTION_DAYS = 14;

/**
 * The least time a dead letter stays in the DLQ. A message moved there keeps
 * its first enqueue time (SQS does not reset it), so the queue may keep
 * messages at most {@link DEAD_LETTER_RETENTION_DAYS} minus this.
 */
export const DEAD_LETTER_GRACE_DAYS = 7;

export interface MessagingArgs {
  /** Receives before a message moves to the DLQ (redrive maxReceiveCount), 1–1000. */
  maxReceiveCount: number;
  /** Timeout of the function consuming the queue; the visibility timeout is six times this. */
  consumerTimeoutSeconds: number;
  /** How long the queue keeps messages: 1 to DEAD_LETTER_RETENTION_DAYS − DEAD_LETTER_GRACE_DAYS days. */
  messageRetentionDays: number;
}

/**
 * The pipeline's spine: the SNS topic producers publish to, the alarm topic
 * CloudWatch alarms publish to, and the SQS queue (with its DLQ) both feed.
 *
 * The main subscription delivers raw (the SQS body is the message JSON). The
 * alarm subscription does not: the body is the SNS envelope
 * (`{"Type":"Notification","TopicArn":…,"Message":"<alarm JSON>"}`), which is
 * how the worker tells an alarm from a message.
 */
export class Messaging extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly alarmTopic: aws.sns.Topic;
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  /** The queue's visibility timeout, for consumers to check their timeout against. */
  readonly visibilityTimeoutSeconds: number;
  /** How long the DLQ keeps a message, counted from its first enqueue on the queue. */
  readonly deadLetterRetentionSeconds: number;

  constructor(name: string, args: MessagingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rez:messaging:Messaging', name, {}, opts);
    validate(args);
    const parent = { parent: this };
    const retentionSeconds = args.messageRetentionDays * 86_400;
    this.deadLetterRetentionSeconds = DEAD_LETTER_RETENTION_DAYS * 86_400;
    this.visibilityTimeoutSeconds = args.consumerTimeoutSeconds * VISIBILITY_TO_TIMEOUT_RATIO;

    // SNS keeps messages only in flight; at rest they sit in SQS, encrypted with
    // SQS-managed keys (no KMS key policies for publishers to need).
    this.topic = new aws.sns.Topic(`${name}-topic`, {}, parent);
    this.alarmTopic = new aws.sns.Topic(`${name}-alarms`, {}, parent);

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      { messageRetentionSeconds: this.deadLetterRetentionSeconds, sqsManagedSseEnabled: true },
      parent,
    );
    this.queue = new aws.sqs.Queue(
      `${name}-queue`,
      {
        visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
        messageRetentionSeconds: retentionSeconds,
        receiveWaitTimeSeconds: 20,
        sqsManagedSseEnabled: true,
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: this.deadLetterQueue.arn,
          maxReceiveCount: args.maxReceiveCount,
        }),
      },
      parent,
    );
    // Only this queue may redrive into the DLQ.
    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq-redrive-allow`,
      {
        queueUrl: this.deadLetterQueue.url,
        redriveAllowPolicy: pulumi.jsonStringify({
          redrivePermission: 'byQueue',
          sourceQueueArns: [this.queue.arn],
        }),
      },
      parent,
    );

    const queuePolicy = new aws.sqs.QueuePolicy(
      `${name}-queue-policy`,
      {
        queueUrl: this.queue.url,
        policy: pulumi.jsonStringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'TopicsMaySend',
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: this.queue.arn,
              Condition: { ArnEquals: { 'aws:SourceArn': [this.topic.arn, this.alarmTopic.arn] } },
            },
          ],
        }),
      },
      parent,
    );

    // Subscriptions after the policy, so the first deliveries are not refused.
    const afterPolicy = { parent: this, dependsOn: [queuePolicy] };
    new aws.sns.TopicSubscription(
      `${name}-queue-subscription`,
      { topic: this.topic.arn, protocol: 'sqs', endpoint: this.queue.arn, rawMessageDelivery: true },
      afterPolicy,
    );
    new aws.sns.TopicSubscription(
      `${name}-alarm-subscription`,
      { topic: this.alarmTopic.arn, protocol: 'sqs', endpoint: this.queue.arn, rawMessageDelivery: false },
      afterPolicy,
    );

    this.registerOutputs({
      topicArn: this.topic.arn,
      alarmTopicArn: this.alarmTopic.arn,
      queueUrl: this.queue.url,
      deadLetterQueueUrl: this.deadLetterQueue.url,
    });
  }
}

function validate(args: MessagingArgs): void {
  const { maxReceiveCount, consumerTimeoutSeconds, messageRetentionDays } = args;
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
    throw new Error(
      `Messaging: maxReceiveCount must be a whole number from 1 to 1000, got ${maxReceiveCount}`,
    );
  }
  // SQS caps the visibility timeout at 12 hours.
  const maxTimeout = Math.floor(43_200 / VISIBILITY_TO_TIMEOUT_RATIO);
  if (
    !Number.isInteger(consumerTimeoutSeconds) ||
    consumerTimeoutSeconds < 1 ||
    consumerTimeoutSeconds > maxTimeout
  ) {
    throw new Error(
      `Messaging: consumerTimeoutSeconds must be a whole number from 1 to ${maxTimeout}, got ${consumerTimeoutSeconds}`,
    );
  }
  const maxRetention = DEAD_LETTER_RETENTION_DAYS - DEAD_LETTER_GRACE_DAYS;
  if (
    !Number.isInteger(messageRetentionDays) ||
    messageRetentionDays < 1 ||
    messageRetentionDays > maxRetention
  ) {
    throw new Error(
      `Messaging: messageRetentionDays must be 1–${maxRetention}, got ${messageRetentionDays}: the DLQ keeps a ` +
        `message ${DEAD_LETTER_RETENTION_DAYS} days from its first enqueue and must leave at least ` +
        `${DEAD_LETTER_GRACE_DAYS} days to look at it`,
    );
  }
}
