import type { MessagePublisher, MessageQueue, ReceivedMessage } from '../src';
import { sampleMessage } from './fixtures';

export interface QueueUnderTest {
  /** Publishes to the topic the queue is subscribed to (raw delivery). */
  publisher: MessagePublisher;
  queue: MessageQueue;
  /** The queue's redrive maxReceiveCount; the suite expects 2. */
  maxReceiveCount: number;
  close?: () => Promise<void> | void;
}

/** Receives until `count` copies arrived or `timeoutMs` passed (SQS may return fewer than asked). */
export async function receiveAtLeast(
  queue: MessageQueue,
  count: number,
  timeoutMs = 5000,
): Promise<ReceivedMessage[]> {
  const got: ReceivedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count && Date.now() < deadline) {
    got.push(
      ...(await queue.receive({
        maxMessages: Math.min(10, count - got.length),
        visibilityTimeoutSeconds: 30,
        waitSeconds: 1,
      })),
    );
  }
  return got;
}

/**
 * The topic → queue → DLQ contract (SNS + SQS on AWS, SQLite locally).
 * `create` must return a fresh topic and queue with maxReceiveCount 2.
 */
export function describeQueueConformance(name: string, create: () => Promise<QueueUnderTest>): void {
  describe(`Bus conformance: ${name}`, () => {
    let bus: QueueUnderTest;

    beforeEach(async () => {
      bus = await create();
      expect(bus.maxReceiveCount).toBe(2);
    });
    afterEach(async () => {
      await bus.close?.();
    });

    it('delivers a published message to the queue as its raw JSON, with type and stage attributes', async () => {
      const message = sampleMessage();
      await bus.publisher.publish(message);
      const [copy] = await receiveAtLeast(bus.queue, 1);
      expect(JSON.parse(copy.body)).toEqual(message);
      expect(copy.attributes).toMatchObject({ type: 'notify', stage: 'dev' });
      expect(copy.receiveCount).toBe(1);
      expect(copy.transportId).toEqual(expect.any(String));
    });

    it('hides a received message until deleted or made visible again', async () => {
      await bus.publisher.publish(sampleMessage());
      const [copy] = await receiveAtLeast(bus.queue, 1);
      expect(await bus.queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30 })).toEqual([]);
      expect(await bus.queue.depth()).toMatchObject({ visible: 0, inFlight: 1, dead: 0 });

      await bus.queue.changeVisibility(copy.receiptHandle, 0);
      const [again] = await receiveAtLeast(bus.queue, 1);
      expect(again.transportId).toBe(copy.transportId);
      expect(again.receiveCount).toBe(2);

      await bus.queue.delete(again.receiptHandle);
      expect(await bus.queue.receive({ maxMessages: 10 })).toEqual([]);
      expect(await bus.queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
    });

    it('moves a message received maxReceiveCount times to the DLQ, and redrives it back', async () => {
      const message = sampleMessage();
      await bus.publisher.publish(message);
      for (let i = 0; i < bus.maxReceiveCount; i++) {
        const [copy] = await receiveAtLeast(bus.queue, 1);
        await bus.queue.changeVisibility(copy.receiptHandle, 0);
      }
      expect(await bus.queue.receive({ maxMessages: 10, waitSeconds: 1 })).toEqual([]);

      const dead = await bus.queue.listDeadLetters({ limit: 10 });
      expect(dead).toHaveLength(1);
      expect(JSON.parse(dead[0].body).id).toBe(message.id);
      expect((await bus.queue.depth()).dead).toBe(1);

      await expect(bus.queue.redrive()).resolves.toEqual({ moved: 1, more: false });
      expect((await bus.queue.depth()).dead).toBe(0);
      const [back] = await receiveAtLeast(bus.queue, 1);
      expect(JSON.parse(back.body).id).toBe(message.id);
      expect(back.receiveCount).toBe(1);
    });

    /** Two messages, each received maxReceiveCount times and never deleted: both dead letters now. */
    async function twoDeadLetters() {
      const keep = sampleMessage();
      const move = sampleMessage();
      await bus.publisher.publish(keep);
      await bus.publisher.publish(move);
      for (let i = 0; i < bus.maxReceiveCount; i++) {
        for (const copy of await receiveAtLeast(bus.queue, 2))
          await bus.queue.changeVisibility(copy.receiptHandle, 0);
      }
      expect(await bus.queue.receive({ maxMessages: 10, waitSeconds: 1 })).toEqual([]);
      return { keep, move };
    }

    it('redrives only the dead letters it is asked to', async () => {
      const { keep, move } = await twoDeadLetters();
      const dead = await bus.queue.listDeadLetters({ limit: 10 });
      expect(dead).toHaveLength(2);
      const target = dead.find((d) => JSON.parse(d.body).id === move.id);
      expect(target).toBeDefined();

      await expect(bus.queue.redrive({ transportIds: [target?.transportId ?? ''] })).resolves.toEqual({
        moved: 1,
        more: false,
      });
      const remaining = await bus.queue.listDeadLetters({ limit: 10 });
      expect(remaining.map((d) => JSON.parse(d.body).id)).toEqual([keep.id]);
      const [back] = await receiveAtLeast(bus.queue, 1);
      expect(JSON.parse(back.body).id).toBe(move.id);
    });

    it('redrives the dead letter of one message by its message id (a push action’s Retry), and none of another', async () => {
      const { keep, move } = await twoDeadLetters();
      await expect(bus.queue.redrive({ messageIds: [sampleMessage().id] })).resolves.toEqual({
        moved: 0,
        more: false,
      });
      await expect(bus.queue.redrive({ messageIds: [move.id] })).resolves.toEqual({ moved: 1, more: false });
      const remaining = await bus.queue.listDeadLetters({ limit: 10 });
      expect(remaining.map((d) => JSON.parse(d.body).id)).toEqual([keep.id]);
      const [back] = await receiveAtLeast(bus.queue, 1);
      expect(JSON.parse(back.body).id).toBe(move.id);
    });
  });
}
