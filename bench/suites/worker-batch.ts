/**
 * A worker batch of 10 notify messages against an ntfy server that answers
 * in 50 ms, beside a sequential loop over the same 10 publishes. Records are
 * processed concurrently and connections reused, so the batch should take
 * about one round trip (target < 100 ms) where the loop takes ten (≈ 500 ms).
 */

import { builtInRegistry, createMessage, manualClock, NtfyClient, ulidGenerator } from '@rez/core';
import { InMemoryMessageStore, RecordingPublisher, startNtfyServer } from '@rez/core/testing';
import { createWorkerHandler } from '@rez/worker';
import type { SQSEvent } from 'aws-lambda';

const ROUNDS = 15;

export async function run({ progress }: { progress: (m: string) => void }) {
  const server = await startNtfyServer({ delayMs: 50 });
  const notifier = new NtfyClient({ baseUrl: server.url, topic: 'bench' });
  const registry = builtInRegistry();
  const clock = manualClock('2026-01-01T00:00:00Z');
  const ids = ulidGenerator();
  const batchTimes: number[] = [];
  const loopTimes: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const handler = createWorkerHandler({
        registry,
        store: new InMemoryMessageStore(),
        bus: new RecordingPublisher(),
        notifier,
        clock,
        stage: 'dev',
      });
      const messages = Array.from({ length: 10 }, (_, i) =>
        createMessage(
          { type: 'notify', payload: { message: `bench ${round}/${i}` }, created_by: 'bench', stage: 'dev' },
          { registry, clock, ids },
        ),
      );
      const event = {
        Records: messages.map((m, i) => ({
          messageId: `${round}-${i}`,
          receiptHandle: `rh-${round}-${i}`,
          body: JSON.stringify(m),
          attributes: { ApproximateReceiveCount: '1' },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench',
          awsRegion: 'us-east-1',
        })),
      } as unknown as SQSEvent;

      let started = performance.now();
      const response = await handler(event);
      batchTimes.push(performance.now() - started);
      if (response.batchItemFailures.length)
        throw new Error(`bench batch had failures: ${JSON.stringify(response)}`);

      started = performance.now();
      for (const m of messages) await notifier.publish({ message: String(m.payload.message) });
      loopTimes.push(performance.now() - started);
      if (round % 5 === 4) progress(`round ${round + 1}/${ROUNDS}`);
    }
  } finally {
    notifier.close();
    await server.close();
  }
  const batch = median(batchTimes.slice(2));
  const loop = median(loopTimes.slice(2));
  return [
    {
      name: 'worker batch of 10, ntfy at 50 ms (median)',
      value: batch,
      unit: 'ms',
      baseline: { name: 'sequential loop of 10', value: loop },
      ratio: loop / batch,
      target: '< 100 ms',
      met: batch < 100,
    },
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
