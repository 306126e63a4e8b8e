import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { adapterCall } from '../errors';
import { type QueueUrlOptions, queueUrlFromArn } from './queue-url';

/**
 * Delays the next delivery of a message a Lambda received in an SQS event:
 * ChangeMessageVisibility on the record's own queue, named by its
 * eventSourceARN (the worker holds no queue URL). A rate-limited message
 * then waits out the limit instead of spending its receives. Apart from
 * SqsQueue so that the worker's bundle carries this one SQS call, not the
 * console's receive / send / delete (infra/tests/iam-code.test.ts grants
 * each function what its bundle holds).
 *
 * @example
 * const redelivery = new SqsRedelivery({ client: createSqsClient() });
 * await redelivery.delay(record, 120);
 */
export class SqsRedelivery {
  readonly #client: SQSClient;
  readonly #urls: QueueUrlOptions;

  /** `endpoint` and `env`: where the queue URL points, as for queueUrlFromArn (emulators). */
  constructor(options: { client: SQSClient } & QueueUrlOptions) {
    const { client, ...urls } = options;
    this.#client = client;
    this.#urls = urls;
  }

  async delay(record: { eventSourceARN: string; receiptHandle: string }, seconds: number): Promise<void> {
    const queueUrl = queueUrlFromArn(record.eventSourceARN, this.#urls);
    await changeVisibility(this.#client, queueUrl, record.receiptHandle, seconds);
  }
}

/** ChangeMessageVisibility of one received copy, SDK errors as AdapterError. */
export function changeVisibility(
  client: SQSClient,
  queueUrl: string,
  receiptHandle: string,
  seconds: number,
): Promise<unknown> {
  return adapterCall('SQS', 'changeVisibility', () =>
    client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    ),
  );
}
