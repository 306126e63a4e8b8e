import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type NtfyTestServer, startNtfyServer } from '@rez/core/testing';
import { exited, runCliProcess, startRuntimeProcess, tempDir } from '../helpers';

const mode = (file: string) => statSync(file).mode & 0o777;

/** What `npm start` and the CLI leave in the data dir, as far as it exists. */
const DATA_FILES = ['rez.db', 'rez.db-wal', 'rez.db-shm', 'ntfy-topic', 'session.key'];

describe('The data dir is private (npm start and the CLI)', () => {
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

  it('npm start creates the data dir 0700 and every file in it 0600, WAL and SHM included', async () => {
    // Prepare: a data dir that does not exist yet, under a umask that would make it 0755.
    const dir = path.join(data.dir, 'fresh', '.rez');
    const started = await startRuntimeProcess({ REZ_DATA_DIR: dir, NTFY_BASE_URL: ntfy.url, NTFY_TOPIC: '' });
    child = started.child;

    // Assess: while it runs (the WAL and SHM exist only then).
    expect(mode(dir)).toBe(0o700);
    const present = readdirSync(dir);
    expect(present).toEqual(expect.arrayContaining(['rez.db', 'rez.db-wal', 'rez.db-shm', 'ntfy-topic']));
    for (const file of present) expect([file, mode(path.join(dir, file))]).toEqual([file, 0o600]);
  });

  it('the CLI on a fresh data dir does the same', () => {
    const dir = path.join(data.dir, 'cli-first');
    const result = runCliProcess(['send', 'notify', '--message', 'hi'], {
      REZ_DATA_DIR: dir,
      NTFY_TOPIC: '',
    });
    expect(result.stderr).toBe('');
    expect(mode(dir)).toBe(0o700);
    for (const file of DATA_FILES.filter((f) => existsSync(path.join(dir, f))))
      expect([file, mode(path.join(dir, file))]).toEqual([file, 0o600]);
  });

  it('tightens the files an earlier version left world-readable, and warns about a wide data dir it did not create', async () => {
    // Prepare: a data dir as earlier versions left it (0755, files 0644).
    const dir = path.join(data.dir, 'old');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    runCliProcess(['send', 'notify', '--message', 'hi'], { REZ_DATA_DIR: dir, NTFY_TOPIC: '' });
    for (const file of ['rez.db', 'ntfy-topic']) chmodSync(path.join(dir, file), 0o644);
    writeFileSync(path.join(dir, 'session.key'), `${Buffer.alloc(32, 7).toString('base64')}\n`, {
      mode: 0o644,
    });
    chmodSync(path.join(dir, 'session.key'), 0o644);

    // Act
    const started = await startRuntimeProcess({ REZ_DATA_DIR: dir, NTFY_BASE_URL: ntfy.url, NTFY_TOPIC: '' });
    child = started.child;

    // Assess: our files are ours to tighten; the directory may be shared, so it is named, not changed.
    for (const file of DATA_FILES.filter((f) => existsSync(path.join(dir, f))))
      expect([file, mode(path.join(dir, file))]).toEqual([file, 0o600]);
    expect(mode(dir)).toBe(0o755);
    expect(started.output()).toContain(
      `rez: warning: the data dir ${dir} is open to other users (mode 755); its files are 0600, but to hide their names too: chmod 700 ${dir}`,
    );
  });

  it('never prints the credentials in NTFY_BASE_URL', async () => {
    // Prepare: ntfy behind basic auth in the URL.
    const url = new URL(ntfy.url);
    url.username = 'rez-user';
    url.password = 's3cret-pass';
    const started = await startRuntimeProcess({
      REZ_DATA_DIR: path.join(data.dir, 'creds'),
      NTFY_BASE_URL: url.href,
      NTFY_TOPIC: 'rez-creds',
    });
    child = started.child;

    // Assess
    const output = started.output();
    expect(output).toContain(`delivering pushes to http://***@${url.host}`);
    expect(output).not.toContain('s3cret-pass');
    expect(output).not.toContain('rez-user');
  });

  it('never prints them in a refused NTFY_BASE_URL either', () => {
    const result = runCliProcess(['list'], {
      REZ_DATA_DIR: path.join(data.dir, 'refused'),
      NTFY_TOPIC: 'rez-creds',
      NTFY_BASE_URL: 'ftp://rez-user:s3cret-pass@ntfy.example.com/',
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'NTFY_BASE_URL must be an http(s) URL, got "ftp://***@ntfy.example.com/"',
    );
    expect(result.stderr).not.toContain('s3cret-pass');
  });
});
