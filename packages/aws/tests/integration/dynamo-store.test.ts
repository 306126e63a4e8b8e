import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AdapterError, type MessageRecord, ValidationError } from '@rez/core';
import { sampleMessage } from '@rez/core/testing';
import { createDocumentClient, DynamoMessageStore } from '../../src';
import { createMessagesTable, dynamoClient } from './peers';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const LEASE = 60_000;
const RECORD_FIELDS: (keyof MessageRecord)[] = [
  'id',
  'type',
  'stage',
  'created_by',
  'created_date',
  'correlation_id',
  'causation_id',
  'hop',
  'payload',
  'raw',
  'status',
  'attempts',
  'error',
  'result',
  'ntfy_id',
  'children',
  'history',
  'updated_at',
  'lease_until',
];

describe('Class: DynamoMessageStore', () => {
  const client = dynamoClient();
  const documents = createDocumentClient(client);
  // Every command the stores below send, by name: the proof that nothing scans.
  const commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommandNames' },
  );
  let table: Awaited<ReturnType<typeof createMessagesTable>>;
  let store: DynamoMessageStore;

  beforeEach(async () => {
    table = await createMessagesTable(client);
    store = new DynamoMessageStore({ client: documents, tableName: table.tableName, stage: 'dev' });
    commands.length = 0;
  });
  afterEach(() => table.drop());
  afterAll(() => client.destroy());

  describe('Method: claim', () => {
    it('lets exactly one of two racing claims win; the other is told busy', async () => {
      // Prepare
      const messages = Array.from({ length: 10 }, () => sampleMessage());

      // Act: each message is claimed twice at the same instant, both racing to record it first
      const outcomes = await Promise.all(
        messages.map((m) =>
          Promise.all([
            store.claim(m, { now: T0, leaseMs: LEASE }),
            store.claim(m, { now: T0, leaseMs: LEASE }),
          ]),
        ),
      );

      // Assess
      for (const pair of outcomes) expect(pair.map((o) => o.outcome).sort()).toEqual(['busy', 'claimed']);
      for (const m of messages) {
        const record = await store.get(m.id);
        expect(record).toMatchObject({ status: 'processing', attempts: 1 });
        expect(record?.history.map((h) => h.status)).toEqual(['queued', 'processing']);
      }
    });

    it('lets one of five racing claims on a stored message win', async () => {
      // Prepare
      const message = sampleMessage();
      await store.put(message, T0);

      // Act
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => store.claim(message, { now: T0, leaseMs: LEASE })),
      );

      // Assess
      expect(outcomes.filter((o) => o.outcome === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((o) => o.outcome === 'busy')).toHaveLength(4);
      expect((await store.get(message.id))?.attempts).toBe(1);
    });

    it('lets one of two racing takeovers of a lapsed lease win, told when the interrupted attempt began', async () => {
      // Prepare: an attempt claimed at T0 and died; its lease lapsed.
      const message = sampleMessage();
      await store.claim(message, { now: T0, leaseMs: LEASE });
      const later = new Date(T0.getTime() + LEASE + 1);

      // Act
      const outcomes = await Promise.all([
        store.claim(message, { now: later, leaseMs: LEASE }),
        store.claim(message, { now: later, leaseMs: LEASE }),
      ]);

      // Assess
      expect(outcomes).toEqual(
        expect.arrayContaining([{ outcome: 'reclaimed', interruptedAt: T0 }, { outcome: 'busy' }]),
      );
      expect((await store.get(message.id))?.attempts).toBe(2);
    });
  });

  describe('Method: put', () => {
    it('sets expires_at to now + retentionDays and returns records without table keys or TTL', async () => {
      // Prepare
      const message = sampleMessage();
      const sevenDays = new DynamoMessageStore({
        client: documents,
        tableName: table.tableName,
        stage: 'dev',
        retentionDays: 7,
      });

      // Act
      await sevenDays.put(message, T0);

      // Assess
      const { Item } = await documents.send(
        new GetCommand({ TableName: table.tableName, Key: { pk: `msg#${message.id}`, sk: 'message' } }),
      );
      expect(Item?.expires_at).toBe(T0.getTime() / 1000 + 7 * 86_400);
      const record = await sevenDays.get(message.id);
      expect(Object.keys(record ?? {}).sort()).toEqual([...RECORD_FIELDS].sort());
    });

    it('keeps payloads with nested values, empty strings and lists intact', async () => {
      // Prepare
      const payload = { message: '', tags: ['a', 'b'], nested: { n: 1.5, flag: false, none: null } };
      const message = sampleMessage({ payload });

      // Act
      await store.put(message, T0);

      // Assess
      expect((await store.get(message.id))?.payload).toEqual(payload);
    });
  });

  describe('Method: reject', () => {
    it('keeps at most 4 KiB of the raw body', async () => {
      // Act
      await store.reject({
        id: 'invalid-big',
        raw: 'x'.repeat(10_000),
        stage: 'dev',
        now: T0,
        error: { code: 'VALIDATION_FAILED', reason: 'not JSON', permanent: true },
      });

      // Assess
      expect((await store.get('invalid-big'))?.raw).toHaveLength(4096);
    });
  });

  describe('Method: list', () => {
    it("shows the adapter's own stage when no filter is given", async () => {
      // Prepare
      const dev = sampleMessage({ stage: 'dev' });
      const prod = sampleMessage({ stage: 'prod' });
      await store.put(dev, T0);
      await store.put(prod, T0);
      const prodStore = new DynamoMessageStore({
        client: documents,
        tableName: table.tableName,
        stage: 'prod',
      });

      // Act
      const page = await prodStore.list({});

      // Assess
      expect(page.items.map((r) => r.id)).toEqual([prod.id]);
    });

    it('keeps reading past filtered-out pages until it has a match', async () => {
      // Prepare: 110 queued hello_world messages newer than the one queued notify
      const wanted = sampleMessage({ at: '2026-03-01T09:00:00.000Z', type: 'notify' });
      await store.put(wanted, T0);
      for (let i = 0; i < 110; i++) {
        const at = new Date(Date.parse('2026-03-01T10:00:00.000Z') + i * 1000).toISOString();
        await store.put(sampleMessage({ at, type: 'hello_world', payload: {} }), T0);
      }
      commands.length = 0;

      // Act: status is the key, type and stage filter (more than one Query page of 100 is read)
      const page = await store.list({ status: 'queued', type: 'notify', stage: 'dev', limit: 5 });

      // Assess
      expect(page).toEqual({ items: [expect.objectContaining({ id: wanted.id })], cursor: null });
      expect(commands.filter((c) => c === 'QueryCommand').length).toBeGreaterThan(1);
    });

    it('rejects a cursor it did not issue', async () => {
      // Act / Assess
      await expect(store.list({ cursor: 'bm90LWEtY3Vyc29y' })).rejects.toThrow(ValidationError);
    });
  });

  describe('Method: list / children / counts', () => {
    it('reads through queries and gets, never a Scan', async () => {
      // Prepare
      const parent = sampleMessage();
      await store.claim(parent, { now: T0, leaseMs: LEASE });
      await store.complete(parent.id, { now: T0, result: {} });

      // Act
      await store.list({});
      await store.list({ status: 'completed', type: 'notify' });
      await store.children(parent.id);
      await store.counts({ since: T0, until: new Date(T0.getTime() + 3_600_000) });

      // Assess
      expect(commands).toContain('QueryCommand');
      expect(commands).not.toContain('ScanCommand');
    });
  });

  describe('Errors', () => {
    it('translates vendor errors into AdapterError with the SDK error as cause', async () => {
      // Prepare
      const missing = new DynamoMessageStore({
        client: documents,
        tableName: 'rez-no-such-table',
        stage: 'dev',
      });

      // Act
      const error = await missing.get('01JNOTSTORED0000000000000X').catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(AdapterError);
      expect(error).toMatchObject({
        code: 'ADAPTER_FAILED',
        context: { adapter: 'DynamoDB', operation: 'get' },
      });
      expect((error as AdapterError).cause).toMatchObject({ name: 'ResourceNotFoundException' });
    });

    it('reports a count it could not write instead of failing the message', async () => {
      // Prepare: counts are written after the record; make only the count write fail
      const reported: AdapterError[] = [];
      const flaky = new DynamoMessageStore({
        client: documents,
        tableName: table.tableName,
        stage: 'dev',
        onCountError: (e) => reported.push(e),
      });
      const message = sampleMessage();
      const send = documents.send.bind(documents);
      const spy = jest
        .spyOn(documents, 'send')
        .mockImplementation(((command: { input: { Key?: { pk?: string } } }) =>
          command.input.Key?.pk?.startsWith('counts#')
            ? Promise.reject(new Error('throttled'))
            : send(command as never)) as never);

      // Act
      try {
        await expect(flaky.put(message, T0)).resolves.toBe(true);
      } finally {
        spy.mockRestore();
      }

      // Assess
      expect(reported).toHaveLength(1);
      expect(reported[0].message).toMatch(/count created for dev\/notify/);
      expect(await flaky.get(message.id)).toMatchObject({ status: 'queued' });
    });
  });
});
