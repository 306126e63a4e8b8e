import { spawnSync } from 'node:child_process';
import { chownSync } from 'node:fs';
import path from 'node:path';
import { build, loginCookie, TEST_USER } from '@rez/web/testing';
import { openDatabase, openLocalPipeline } from '../../src';
import { CLI_JS, runCliProcess, tempDir } from '../helpers';

describe('Class: rez CLI', () => {
  let data: ReturnType<typeof tempDir>;
  let env: Record<string, string>;

  beforeEach(() => {
    data = tempDir();
    env = { REZ_DATA_DIR: data.dir, NTFY_TOPIC: 'rez-cli-test' };
  });
  afterEach(() => data.remove());

  const stored = () => {
    const db = openDatabase(path.join(data.dir, 'rez.db'));
    try {
      return {
        messages: db.prepare('SELECT count(*) FROM messages').pluck().get(),
        queued: db.prepare('SELECT count(*) FROM bus_messages').pluck().get(),
      };
    } finally {
      db.close();
    }
  };

  it.each([
    [['send', 'notify', '--title', 'no message'], 'payload.message'],
    [['send', 'notify', '--message', 'hi', '--priority', '7'], '--priority'],
    [['send', 'notify', '--message', 'hi', '--click', 'ftp://x'], 'payload.click'],
    [['send', 'notify', '--payload', '{not json'], '--payload'],
    [['send', 'no_such_type', '--message', 'hi'], 'no_such_type'],
    [['send'], '<type>'],
    [['list', '--status', 'lost'], '--status'],
    [['send', 'notify', '--bogus'], 'bogus'],
    [['sessions', 'end'], '<user>'],
    [['sessions', 'end', '   '], 'user'],
    [['sessions', 'list'], 'sessions'],
  ])('refuses %j naming %s, exits non-zero, stores nothing', (args, field) => {
    const result = runCliProcess(args, env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(field);
    expect(stored()).toEqual({ messages: 0, queued: 0 });
  });

  it('ends every console session of a user in the data dir a running console reads: the next request is refused', async () => {
    // Prepare: a console on this data dir's database, and Ana signed in to it.
    const pipeline = openLocalPipeline({
      dbFile: path.join(data.dir, 'rez.db'),
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 30,
    });
    const t = await build({ store: pipeline.store, queue: pipeline.queue, publisher: pipeline.publisher });
    try {
      const cookie = loginCookie(t);
      expect((await t.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(200);

      // Act: another process, as an operator at a terminal would.
      const result = runCliProcess(['sessions', 'end', 'Ana@Example.com'], env);

      // Assess
      expect(result).toMatchObject({
        code: 0,
        stdout: 'ended every console session of ana@example.com (sessions epoch 1)\n',
      });
      expect((await t.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(302);
      expect(
        (await t.app.inject({ url: '/', headers: { cookie: loginCookie(t, TEST_USER, { epoch: 1 }) } }))
          .statusCode,
      ).toBe(200);
    } finally {
      await t.app.close();
      pipeline.close();
    }
  });

  it('queues a valid message in the store and on the queue', () => {
    const result = runCliProcess(['send', 'notify', '--message', 'hi', '--tags', 'a,b', '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      type: 'notify',
      payload: { message: 'hi', tags: ['a', 'b'] },
    });
    expect(stored()).toEqual({ messages: 1, queued: 1 });
  });

  it('manages a schedule: add, list with its next run, run, pause, edit, rm', () => {
    const rez = (...args: string[]) => runCliProcess([...args, '--json'], env);
    const added = rez(
      'schedule',
      'add',
      'standup',
      '--expression',
      'cron(0 8 ? * MON-FRI *)',
      '--tz',
      'Europe/Berlin',
      '--type',
      'notify',
      '--message',
      'Stand-up',
      '--title',
      'Team',
    );
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      name: 'standup',
      payload: { message: 'Stand-up', title: 'Team' },
      enabled: true,
      next: Array(3).fill(expect.stringMatching(/T0[67]:00:00\.000Z$/)),
    });
    expect(rez('schedule', 'run', 'standup').code).toBe(0);
    expect(rez('schedule', 'pause', 'standup').code).toBe(0);
    const edited = rez('schedule', 'edit', 'standup', '--priority', '4');
    expect(JSON.parse(edited.stdout)).toMatchObject({
      enabled: false,
      payload: { message: 'Stand-up', title: 'Team', priority: 4 },
    });
    const listed = JSON.parse(rez('schedule', 'list').stdout);
    expect(listed.builtIn.map((s: { name: string }) => s.name)).toEqual(['hello-world']);
    expect(listed.user).toEqual([
      expect.objectContaining({
        name: 'standup',
        enabled: false,
        next: [],
        last_run: expect.objectContaining({ outcome: 'sent', by: expect.stringMatching(/^cli:/) }),
        lastMessage: expect.objectContaining({ status: 'queued', created_by: 'scheduler:standup' }),
      }),
    ]);
    expect(rez('schedule', 'rm', 'standup').code).toBe(0);
    expect(JSON.parse(rez('schedule', 'list').stdout).user).toEqual([]);
  });

  it('replays a message with an edited payload, in the original’s chain', () => {
    const sent = JSON.parse(
      runCliProcess(['send', 'notify', '--message', 'typo', '--title', 'T', '--json'], env).stdout,
    );
    const replay = runCliProcess(['replay', sent.id, '--message', 'fixed', '--json'], env);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({
      type: 'notify',
      payload: { message: 'fixed', title: 'T' },
      causation_id: sent.id,
      correlation_id: sent.id,
      metadata: { created_by: expect.stringMatching(/^cli:/) },
    });
    const refused = runCliProcess(['replay', sent.id, '--payload', '{"message": ""}'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('payload.message: must not be empty');
    expect(stored()).toEqual({ messages: 2, queued: 2 });
  });

  // Containers often run as a user id with no passwd entry; os.userInfo() throws there.
  const asRoot = process.getuid?.() === 0;
  (asRoot ? it : it.skip)(
    'works for a user id with no passwd entry: created_by falls back to the uid',
    () => {
      // Prepare: a uid nobody named, owning the data dir.
      const uid = 54_321;
      chownSync(data.dir, uid, uid);

      // Act
      const result = spawnSync(process.execPath, [CLI_JS, 'send', 'notify', '--message', 'hi', '--json'], {
        env: { ...process.env, ...env },
        uid,
        gid: uid,
        encoding: 'utf8',
      });

      // Assess
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout).metadata.created_by).toBe(`cli:uid-${uid}`);
    },
  );
});
