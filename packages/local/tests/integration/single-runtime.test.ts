import type { ChildProcess } from 'node:child_process';
import { RezError } from '@rez/core';
import { type NtfyTestServer, RecordingNotifier, startNtfyServer } from '@rez/core/testing';
import { runNode } from '../../../../test/support/run-node';
import { type LocalRuntime, startLocalRuntime } from '../../src';
import { exited, runCliProcess, START_JS, startRuntimeProcess, tempDir } from '../helpers';

describe('One runtime per data dir', () => {
  let data: ReturnType<typeof tempDir>;
  const children: ChildProcess[] = [];
  let ntfy: NtfyTestServer;

  beforeEach(async () => {
    data = tempDir();
    ntfy = await startNtfyServer();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
    }
    await ntfy.close();
    data.remove();
  });

  it('refuses a second npm start on the same data dir, naming the running process; the CLI still works beside it', async () => {
    // Prepare: one runtime running.
    const env = { REZ_DATA_DIR: data.dir, NTFY_BASE_URL: ntfy.url, NTFY_TOPIC: 'rez-one' };
    const first = await startRuntimeProcess(env);
    children.push(first.child);

    // Act
    const second = await runNode(START_JS, [], {
      env: { ...process.env, ...env, PORT: String(first.port + 1) },
    });

    // Assess: refused in one line that names the holder …
    expect(second.code).toBe(1);
    expect(second.stdout).not.toMatch(/^rez: ready$/m);
    expect(second.stderr).toMatch(
      new RegExp(
        `^rez: cannot start: another Rez runtime is running on the data dir ${data.dir} \\(pid ${first.child.pid}, started [^)]+\\); stop it first, or set REZ_DATA_DIR to another directory \\(the CLI, npm run rez, works beside it\\)\\n$`,
      ),
    );
    // … while the CLI, by design, uses the same data dir as the running one.
    const sent = runCliProcess(['send', 'notify', '--message', 'beside the runtime'], env);
    expect(sent.stderr).toBe('');
    await expect(ntfy.waitFor(1)).resolves.toMatchObject([{ message: 'beside the runtime' }]);
  });

  it('is not stuck after a crash: a runtime killed with SIGKILL leaves nothing that refuses the next', async () => {
    // Prepare
    const env = { REZ_DATA_DIR: data.dir, NTFY_BASE_URL: ntfy.url, NTFY_TOPIC: 'rez-one' };
    const crashed = await startRuntimeProcess(env);
    crashed.child.kill('SIGKILL');
    await exited(crashed.child);

    // Act
    const next = await startRuntimeProcess(env);
    children.push(next.child);

    // Assess
    expect(next.output()).toMatch(/^rez: ready$/m);
  });

  it('in one process too: a second startLocalRuntime is refused until the first stops', async () => {
    // Prepare
    const options = {
      env: { REZ_DATA_DIR: data.dir, NTFY_TOPIC: 'rez-one' },
      notifier: new RecordingNotifier(),
      console: false,
      log: () => {},
    };
    const first: LocalRuntime = await startLocalRuntime(options);

    // Act / Assess
    const refused = await startLocalRuntime(options).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RezError);
    expect(refused).toMatchObject({ code: 'RUNTIME_RUNNING', context: { pid: process.pid } });
    await first.stop();
    const again = await startLocalRuntime(options);
    await again.stop();
  });
});
