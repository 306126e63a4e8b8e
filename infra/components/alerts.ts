import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** One day: the window in which every daily schedule must have fired at least once. */
export const DAILY_PERIOD_SECONDS = 86_400;

export interface AlertsArgs {
  stage: string;
  /** Topic every alarm notifies on ALARM and OK; Messaging subscribes it to the queue, so alerts reach ntfy. */
  alarmTopicArn: pulumi.Input<string>;
  /** Name of the pipeline's dead-letter queue (alarm when anything lands there). */
  deadLetterQueueName: pulumi.Input<string>;
  /** Name of the schedule DLQ (an invocation EventBridge Scheduler gave up on). */
  scheduleDeadLetterQueueName: pulumi.Input<string>;
  workerFunctionName: pulumi.Input<string>;
  schedulerFunctionName: pulumi.Input<string>;
  /** Whether some schedule fires at least daily; the missed-schedule alarm exists only then. */
  expectsDailyRun: boolean;
  /**
   * An e-mail address subscribed to the alarm topic: alarms reach it straight
   * from SNS, without the queue and worker they may be about. SNS mails a
   * confirmation link first; nothing arrives until it is clicked.
   */
  email?: string;
}

/**
 * CloudWatch alarms for the things that need a human: dead letters, worker
 * errors, and a daily schedule that did not run. Each notifies the alarm
 * topic on ALARM and again on OK. The topic reaches ntfy through the queue
 * and the worker, and, with `email`, an inbox directly.
 */
export class Alerts extends pulumi.ComponentResource {
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rez:alerts:Alerts', name, {}, opts);
    if (!args.stage) throw new Error('Alerts: stage is required (alarm names carry it)');
    const notify = { alarmActions: [args.alarmTopicArn], okActions: [args.alarmTopicArn] };
    const alarm = (
      suffix: string,
      props: Omit<aws.cloudwatch.MetricAlarmArgs, 'alarmActions' | 'okActions' | 'name'>,
    ) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        { name: `rez-${args.stage}-${suffix}`, ...notify, ...props },
        { parent: this },
      );
    /** Any message visible in `queueName` (a dead-letter queue) for 5 minutes. */
    const queueNotEmpty = (suffix: string, alarmDescription: string, queueName: pulumi.Input<string>) =>
      alarm(suffix, {
        alarmDescription,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queueName },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: 0,
        treatMissingData: 'notBreaching',
      });

    this.alarms = [
      queueNotEmpty(
        'dlq-not-empty',
        'Messages reached the dead-letter queue: look at them in the console and redrive.',
        args.deadLetterQueueName,
      ),
      alarm('worker-errors', {
        alarmDescription: 'The worker Lambda failed (timeout, crash or a whole-batch error).',
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: args.workerFunctionName },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: 0,
        treatMissingData: 'notBreaching',
      }),
    ];
    if (args.expectsDailyRun) {
      // Lambda publishes Invocations only for periods with invocations, so a
      // missed day is a day without data. `missing` turns a day without data
      // into INSUFFICIENT_DATA, which notifies like ALARM does. A new alarm
      // starts in INSUFFICIENT_DATA, and actions run only on a change of
      // state: so the first deploy sends nothing, the first run moves it to
      // OK, and from then on a day without a run notifies. (`breaching`
      // would fire the moment the alarm is created, before the first
      // schedule is even due.) Until that first run this alarm is silent;
      // schedule-dead-letters covers a first run Scheduler gives up on.
      this.alarms.push(
        alarm('schedule-missed', {
          alarmDescription:
            'No scheduler Lambda invocation in the last 24 hours (INSUFFICIENT_DATA = no run at all): a daily schedule did not run.',
          namespace: 'AWS/Lambda',
          metricName: 'Invocations',
          dimensions: { FunctionName: args.schedulerFunctionName },
          statistic: 'Sum',
          period: DAILY_PERIOD_SECONDS,
          evaluationPeriods: 1,
          comparisonOperator: 'LessThanThreshold',
          threshold: 1,
          treatMissingData: 'missing',
          insufficientDataActions: [args.alarmTopicArn],
        }),
      );
    }
    this.alarms.push(
      queueNotEmpty(
        'schedule-dead-letters',
        'EventBridge Scheduler gave up invoking the scheduler Lambda (see the schedule DLQ).',
        args.scheduleDeadLetterQueueName,
      ),
    );
    if (args.email !== undefined) {
      new aws.sns.TopicSubscription(
        `${name}-email`,
        { topic: args.alarmTopicArn, protocol: 'email', endpoint: args.email },
        { parent: this },
      );
    }
    this.registerOutputs({ alarmNames: this.alarms.map((a) => a.name) });
  }
}
