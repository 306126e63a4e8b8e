import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type ProcessOutcome, runNode } from '../support/run-node';
import { CLI_CASES, type CliCase } from './corpus';

const CLI_JS = path.resolve(__dirname, '../../packages/local/dist/cli.js');

function runCli(c: CliCase, dataDir: string): Promise<ProcessOutcome> {
  return runNode(CLI_JS, c.args, {
    env: { ...process.env, REZ_DATA_DIR: dataDir, NTFY_TOPIC: 'rez-bad-input', REZ_STAGE: 'dev', ...c.env },
  });
}

describe('Bad input: the CLI (packages/local/dist/cli.js)', () => {
  const data = mkdtempSync(path.join(tmpdir(), 'rez-bad-cli-'));
  const outcomes = new Map<string, ProcessOutcome>();

  // The processes run four at a time, once; each case then checks its own outcome.
  beforeAll(async () => {
    const queue = [...CLI_CASES];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let c = queue.shift(); c; c = queue.shift()) outcomes.set(c.name, await runCli(c, data));
      }),
    );
  }, 90_000);
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it.each(CLI_CASES.map((c) => [c.name, c] as const))('%s: a clear error and a non-zero exit', (_name, c) => {
    const outcome = outcomes.get(c.name);
    expect(outcome).toBeDefined();
    const { code, stdout, stderr } = outcome as ProcessOutcome;
    // Refusals say "rez: <what is wrong>" on stderr; a bare invocation prints the usage instead.
    const said = c.args.length === 0 ? stdout : stderr;
    expect({ code, said }).toEqual({
      code: expect.any(Number),
      said: expect.stringMatching(c.args.length === 0 ? /^Usage: / : /^rez: \S/),
    });
    expect(code).not.toBe(0);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // a message, not a stack trace
    expect(stderr.length).toBeLessThan(2000);
  });

  it('stored and queued nothing for any of them', () => {
    const db = new Database(path.join(data, 'rez.db'), { readonly: true, fileMustExist: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM bus_messages').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM user_schedules').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
