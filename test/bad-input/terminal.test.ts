import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  builtInRegistry,
  createMessage,
  type Message,
  NtfyError,
  submitMessage,
  systemClock,
  ulidGenerator,
} from '@rez/core';
import { RecordingNotifier } from '@rez/core/testing';
import { LocalTarget, openLocalPipeline, startLocalRuntime } from '@rez/local';
import { runCli } from '../../packages/local/src/cli/commands';
import { runNode } from '../support/run-node';
import { TERMINAL_ESCAPES, terminalControls } from './corpus';

const CLI_JS = path.resolve(__dirname, '../../packages/local/dist/cli.js');
const START_JS = path.resolve(__dirname, '../../packages/local/dist/start.js');
const ids = ulidGenerator();

/** A stored message carrying `text` in every field a person sees, failed with `text` in its reason. */
function hostile(text: string, i: number): Message {
  const message = createMessage(
    {
      type: 'notify',
      payload: { message: `message ${text}`, title: `title ${text}` },
      created_by: 'x',
      stage: 'dev',
    },
    { registry: builtInRegistry(), clock: systemClock, ids },
  );
  return { ...message, metadata: { ...message.metadata, created_by: `user${i} ${text}` } };
}

describe('Bad input: text printed to a terminal', () => {
  const data = mkdtempSync(path.join(tmpdir(), 'rez-bad-terminal-'));
  const env = { ...process.env, REZ_DATA_DIR: data, NTFY_TOPIC: 'rez-bad-input', REZ_STAGE: 'dev' };
  const messages = TERMINAL_ESCAPES.map(([, text], i) => hostile(text, i));

  beforeAll(async () => {
    // Prepare: records and dead letters holding each sequence, as a server, a payload or a name would.
    const pipeline = openLocalPipeline({
      dbFile: path.join(data, 'rez.db'),
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 30,
    });
    try {
      const now = new Date();
      for (const [i, message] of messages.entries()) {
        const text = TERMINAL_ESCAPES[i][1];
        await pipeline.store.put(message, now);
        await pipeline.store.claim(message, { now, leaseMs: 1000 });
        await pipeline.store.fail(message.id, {
          now,
          error: {
            code: 'NTFY_REJECTED',
            reason: `ntfy rejected the message (400): ${text}`,
            permanent: true,
          },
        });
        await pipeline.store.reject({
          id: `invalid-t${i}`,
          raw: `raw ${text}`,
          stage: 'dev',
          now,
          error: { code: 'VALIDATION_FAILED', reason: `invalid message: ${text}`, permanent: true },
        });
        await pipeline.publisher.publish({ ...message, id: `dead ${text}` });
      }
      for (let got = await pipeline.queue.receive({ maxMessages: 10 }); got.length > 0; ) {
        for (const copy of got) await pipeline.queue.deadLetter(copy.receiptHandle);
        got = await pipeline.queue.receive({ maxMessages: 10 });
      }
    } finally {
      pipeline.close();
    }
  });
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it.each([
    ['failed'],
    ['list', '--limit', '100'],
    ['failed', '--json'],
    ['list', '--json', '--limit', '100'],
  ])('npm run rez -- %s: no control character reaches the terminal', async (...args) => {
    const { code, stdout, stderr } = await runNode(CLI_JS, args, { env });
    expect(code).toBe(0);
    expect(terminalControls(stdout)).toEqual([]);
    expect(stderr).toBe('');
    if (args.includes('--json')) {
      // Machine output stays exact: the escapes are JSON's own, so the values read back unchanged.
      const parsed = JSON.parse(stdout);
      const reasons = (parsed.failed ?? parsed.items).map(
        (r: { error: { reason: string } }) => r.error.reason,
      );
      for (const [, text] of TERMINAL_ESCAPES)
        expect(reasons).toContain(`ntfy rejected the message (400): ${text}`);
    } else {
      // Human output: one line per record (plus its reason), none forged by a field.
      expect(stdout).not.toMatch(/^rez: ready/m);
      if (args[0] === 'list') expect(stdout.trim().split('\n')).toHaveLength(2 * TERMINAL_ESCAPES.length);
    }
  });

  it.each(TERMINAL_ESCAPES.map(([name], i) => [name, i] as const))(
    'npm run rez -- show, with %s in every field',
    async (_name, i) => {
      for (const json of [false, true]) {
        const lines: string[] = [];
        const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
        const args = ['show', messages[i].id, ...(json ? ['--json'] : [])];
        await expect(runCli(args, () => new LocalTarget(env), io)).resolves.toBe(0);
        const printed = lines.join('\n');
        expect(terminalControls(printed)).toEqual([]);
        expect(JSON.parse(printed).record.created_by).toBe(messages[i].metadata.created_by);
      }
    },
  );

  it('the runtime’s log: one line per event, no control character, whatever ntfy said', async () => {
    // Prepare: ntfy refuses each push with a text full of escapes.
    const dir = mkdtempSync(path.join(tmpdir(), 'rez-bad-terminal-log-'));
    const notifier = new RecordingNotifier();
    for (const [, text] of TERMINAL_ESCAPES)
      notifier.errors.push(new NtfyError(`ntfy rejected the message (400): ${text}`, 'permanent'));
    const lines: string[] = [];
    const rez = await startLocalRuntime({
      env: { REZ_DATA_DIR: dir, NTFY_TOPIC: 'rez-bad-input' },
      notifier,
      scheduler: false,
      console: false,
      log: (line) => lines.push(line),
    });
    try {
      // Act
      for (const [, text] of TERMINAL_ESCAPES)
        await submitMessage(
          { type: 'notify', payload: { message: `m ${text}` }, created_by: 'test', stage: 'dev' },
          { registry: builtInRegistry(), clock: systemClock, ids, store: rez.store, bus: rez.publisher },
        );
      const deadline = Date.now() + 10_000;
      while ((await rez.queue.depth()).dead < TERMINAL_ESCAPES.length && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));

      // Assess
      expect((await rez.queue.depth()).dead).toBe(TERMINAL_ESCAPES.length);
      expect(lines.filter((l) => l.includes('ntfy rejected the message'))).not.toHaveLength(0);
      for (const line of lines) expect(terminalControls(line, { newline: true })).toEqual([]);
    } finally {
      await rez.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(TERMINAL_ESCAPES.filter(([name]) => name !== 'NUL').map(([name, text]) => [name, text] as const))(
    'npm start with %s in a setting: one line on stderr, no control character',
    async (_name, text) => {
      const { code, stdout, stderr } = await runNode(START_JS, [], {
        env: { ...env, REZ_STAGE: `dev${text}` },
      });
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        /^rez: cannot start: configuration error: REZ_STAGE must be one of dev, stage, prod, got "dev.*"\n$/,
      );
      expect(terminalControls(stderr.trimEnd(), { newline: true })).toEqual([]);
    },
  );
});
