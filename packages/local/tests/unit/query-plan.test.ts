import path from 'node:path';
import { openDatabase, type SqliteDatabase, SqliteMessageStore } from '../../src';
import { listPlan } from '../../src/sqlite/store-rows';
import { tempDir } from '../helpers';

describe('Class: SqliteMessageStore query plans', () => {
  let data: ReturnType<typeof tempDir>;
  let db: SqliteDatabase;

  beforeAll(() => {
    data = tempDir();
    db = openDatabase(path.join(data.dir, 'rez.db'));
    new SqliteMessageStore(db);
  });
  afterAll(() => {
    db.close();
    data.remove();
  });

  const plan = (sql: string, params: Record<string, unknown>) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[])
      .map((r) => r.detail)
      .join(' | ');

  it.each([
    [{}, 'messages_by_time'],
    [{ stage: 'dev' }, 'messages_by_stage'],
    [{ status: 'failed' }, 'messages_by_status'],
    [{ stage: 'dev', status: 'failed' }, 'messages_by_stage_status'],
    [{ type: 'notify' }, 'messages_by_type'],
    [{ stage: 'dev', type: 'notify' }, 'messages_by_stage_type'],
    [{ created_by: 'web:ana' }, 'messages_by_creator'],
  ] as const)('list %j reads %s, in order, without a table scan or a sort', (query, index) => {
    for (const withCursor of [false, true]) {
      const { sql, params } = listPlan(query);
      const detail = plan(sql(withCursor), { ...params, after: 'z', limit: 26 });
      expect(detail).toContain(`USING INDEX ${index}`);
      expect(detail).not.toMatch(/SCAN messages(?! USING)|USE TEMP B-TREE/);
    }
  });

  it('children and counts use their indexes', () => {
    expect(plan('SELECT * FROM messages WHERE causation_id = @id ORDER BY sort_key', { id: 'X' })).toContain(
      'USING INDEX messages_by_cause',
    );
    expect(
      plan('SELECT * FROM message_counts WHERE bucket >= @a AND bucket < @b ORDER BY bucket, stage, type', {
        a: 0,
        b: 1,
      }),
    ).toContain('USING PRIMARY KEY (bucket>? AND bucket<?)');
  });
});
