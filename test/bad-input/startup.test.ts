import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleMessage } from '@rez/core/testing';
import { openLocalPipeline } from '@rez/local';
import { STARTUP_CASES, type StartupCase } from './corpus';

const START_JS = path.resolve(__dirname, '../../packages/local/dist/start.js');
/** Longer than any refusal takes; a runtime that is still starting by then has accepted the input. */
const GIVE_UP_MS = 20_000;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  dataDir: string;
}

async function prepare(c: StartupCase, dataDir: string): Promise<void> {
  if (c.zeroPages) {
    const pipeline = openLocalPipeline({
      dbFile: path.join(dataDir, 'rez.db'),
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 30,
    });
    for (let i = 0; i < 200; i++) await pipeline.store.put(sampleMessage(), new Date());
    pipeline.close();
    const fd = openSync(path.join(dataDir, 'rez.db'), 'r+');
    writeSync(fd, Buffer.alloc(4 * 4096), 0, 4 * 4096, 2 * 4096);
    closeSync(fd);
  }
  for (const [name, content] of Object.entries(c.files ?? {})) {
    const file = path.join(dataDir, name);
    if (typeof content === 'object' && !Buffer.isBuffer(content)) mkdirSync(file);
    else writeFileSync(file, content, { mode: 0o600 });
  }
}

function start(c: StartupCase, dataDir: string, port: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [START_JS], {
      env: {
        ...process.env,
        REZ_DATA_DIR: dataDir,
        NTFY_BASE_URL: 'http://127.0.0.1:9',
        NTFY_TOPIC: '',
        PORT: String(port),
        ...c.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/^rez: ready$/m.test(stdout)) child.kill('SIGKILL'); // it took the input: the case failed
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), GIVE_UP_MS);
    child.once('error', reject);
    // 'close', not 'exit': under load the last of stderr may still be in flight at exit.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, dataDir });
    });
  });
}

describe('Bad input: npm start with broken files and settings', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'rez-bad-startup-'));
  const outcomes = new Map<string, Outcome>();

  // The processes run four at a time, once; each case then checks its own outcome.
  beforeAll(async () => {
    const queue = STARTUP_CASES.map((c, i) => ({ c, i }));
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const dataDir = path.join(root, `case-${next.i}`);
          mkdirSync(dataDir, { mode: 0o700 });
          await prepare(next.c, dataDir);
          outcomes.set(next.c.name, await start(next.c, dataDir, 41_000 + next.i));
        }
      }),
    );
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(STARTUP_CASES.map((c) => [c.name, c] as const))(
    '%s: refused in one line naming it and what would be valid',
    (_name, c) => {
      const outcome = outcomes.get(c.name) as Outcome;
      expect(outcome).toBeDefined();
      const { code, stdout, stderr, dataDir } = outcome;
      expect(stdout).not.toMatch(/^rez: ready$/m);
      expect(code).toBe(1);
      // One line, no stack trace …
      expect(stderr).toMatch(/^rez: cannot start: [^\n]+\n$/);
      // … naming the variable, or the file with its path …
      const named = 'variable' in c.names ? c.names.variable : path.join(dataDir, c.names.file);
      expect(stderr).toContain(named);
      // … and saying what would do instead.
      expect(stderr).toMatch(/must|delete it|move it|restore|remove it|readable/);
    },
  );
});
