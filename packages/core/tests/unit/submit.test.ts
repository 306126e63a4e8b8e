import {
  builtInRegistry,
  type Message,
  type MessagePublisher,
  manualClock,
  processMessage,
  type SubmitDeps,
  submitMessage,
  ulidGenerator,
} from '@rez/core';
import { InMemoryMessageStore, RecordingNotifier, RecordingPublisher } from '@rez/core/testing';

const input = {
  type: 'notify',
  payload: { message: 'disk 91% full' },
  created_by: 'cli:ana',
  stage: 'dev' as const,
};

function setup() {
  const store = new InMemoryMessageStore();
  const bus = new RecordingPublisher();
  const deps: SubmitDeps = {
    store,
    bus,
    registry: builtInRegistry(),
    clock: manualClock('2026-02-01T00:00:00.000Z'),
    ids: ulidGenerator(),
  };
  /** What the worker does with everything published: take it and run it. */
  const work = async (notifier = new RecordingNotifier()) => {
    for (const message of bus.published)
      await processMessage(message, { ...deps, notifier, stage: 'dev' }).catch(() => undefined);
    return notifier;
  };
  return { store, bus, deps, work };
}

/** `target` as a process that died in `step` sees it: that call never answers, the rest work. */
function dyingIn<T extends object>(target: T, step: keyof T): T {
  return new Proxy(target, {
    get(object, key) {
      if (key === step) return () => new Promise<never>(() => {});
      const value = Reflect.get(object, key);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Function: submitMessage', () => {
  it('publishes the message, then records it as queued', async () => {
    const { store, bus, deps } = setup();
    const message = await submitMessage(input, deps);
    expect(bus.published.map((m) => m.id)).toEqual([message.id]);
    expect(store.records.get(message.id)).toMatchObject({ status: 'queued', created_by: 'cli:ana' });
  });

  it.each([
    ['while publishing', 'publish'],
    ['after publishing, while recording', 'put'],
  ] as const)(
    'a process that dies %s leaves no queued record without a published copy, and loses nothing it published',
    async (_when, step) => {
      const { store, bus, deps, work } = setup();
      const dying =
        step === 'publish'
          ? { ...deps, bus: dyingIn(bus, 'publish') }
          : { ...deps, store: dyingIn(store, 'put') };

      void submitMessage(input, dying);
      await settle();

      // Invariant: every record the store holds as queued is on its way (in the bus).
      const published = new Set(bus.published.map((m) => m.id));
      const stranded = [...store.records.values()].filter(
        (r) => r.status === 'queued' && !published.has(r.id),
      );
      expect(stranded.map((r) => r.id)).toEqual([]);
      // What was published is recorded and delivered by the worker, record or not.
      const notifier = await work();
      for (const id of published) expect(store.records.get(id)?.status).toBe('completed');
      expect(notifier.sent).toHaveLength(published.size);
    },
  );

  it('resolves when the record cannot be written after the publish, and says so; the worker records the message when it takes it', async () => {
    const { store, deps, work } = setup();
    const seen: string[] = [];
    store.put = async () => {
      throw new Error('DynamoDB throttled');
    };
    const message = await submitMessage(input, {
      ...deps,
      onError: (what, error) => seen.push(`${what}: ${(error as Error).message}`),
    });
    expect(seen).toEqual([
      `the queued record of message ${message.id} (published; the worker records it): DynamoDB throttled`,
    ]);
    expect(store.records.has(message.id)).toBe(false);

    delete (store as Partial<InMemoryMessageStore>).put; // the prototype's put again
    await work();
    expect(store.records.get(message.id)).toMatchObject({ status: 'completed', created_by: 'cli:ana' });
  });

  it('leaves the record as the worker left it when the worker took the message before the submit recorded it', async () => {
    const { store, deps } = setup();
    const notifier = new RecordingNotifier();
    const eager: MessagePublisher = {
      publish: async (message: Message) => {
        await processMessage(message, { ...deps, notifier, stage: 'dev' });
      },
    };
    const message = await submitMessage(input, { ...deps, bus: eager });
    expect(store.records.get(message.id)?.status).toBe('completed');
    expect(store.records.get(message.id)?.history.map((h) => h.status)).toEqual([
      'queued',
      'processing',
      'completed',
    ]);
  });

  it('records the message as failed with the reason and rethrows when the bus refuses it', async () => {
    const { store, bus, deps } = setup();
    bus.failWith = new Error('SNS is down');
    await expect(submitMessage(input, deps)).rejects.toThrow('SNS is down');
    const [record] = store.records.values();
    expect(record).toMatchObject({
      status: 'failed',
      error: { reason: expect.stringContaining('SNS is down') },
    });
  });

  it('stores and publishes nothing for invalid input', async () => {
    const { store, bus, deps } = setup();
    await expect(submitMessage({ ...input, payload: {} }, deps)).rejects.toThrow(/message/);
    expect(bus.published).toEqual([]);
    expect(store.records.size).toBe(0);
  });
});
