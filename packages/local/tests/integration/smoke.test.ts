import type { ChildProcess } from 'node:child_process';
import { type NtfyTestServer, startNtfyServer } from '@rez/core/testing';
import { exited, runCliProcess, startRuntimeProcess, tempDir } from '../helpers';

describe('Class: npm start (smoke, as a new user)', () => {
  let ntfy: NtfyTestServer;
  let child: ChildProcess | undefined;
  let data: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    ntfy = await startNtfyServer();
    data = tempDir();
  });
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    await ntfy.close();
    data.remove();
  });

  it('starts on a fresh data dir, runs hello-world on demand, and exactly one push arrives', async () => {
    // Prepare
    const env = { REZ_DATA_DIR: data.dir, NTFY_BASE_URL: ntfy.url, NTFY_TOPIC: '', PORT: '3999' };
    const started = await startRuntimeProcess(env);
    child = started.child;
    const banner = started.output();
    const topic = /topic (rez-[A-Za-z0-9_-]{22})\b/.exec(banner)?.[1];
    expect(topic).toBeDefined();
    expect(banner).toContain(`data in ${data.dir}`);
    expect(banner).toContain(`${ntfy.url}/${topic}`);

    // Act
    const run = runCliProcess(['schedule', 'run', 'hello-world'], env);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [push] = await ntfy.waitFor(1, 10_000);
    expect(push).toMatchObject({ topic, title: 'hello world' });
    expect(push.message).toMatch(
      /^hello world\ncreated_date: \S+\ncreated_by: scheduler:hello-world\nstage: dev$/,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ntfy.received).toHaveLength(1);

    child.kill('SIGTERM');
    await expect(exited(child)).resolves.toBe(0);
    expect(started.output()).toMatch(/rez: stopped/);
  });
});
