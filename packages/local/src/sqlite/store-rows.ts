import type { ListQuery, MessageRecord, MessageStatus, Stage } from '@rez/core';

/** A `messages` row as SQLite returns it. */
export interface Row {
  id: string;
  sort_key: string;
  type: string;
  stage: Stage;
  created_by: string;
  created_date: string;
  correlation_id: string;
  causation_id: string | null;
  hop: number;
  payload: string;
  raw: string | null;
  status: MessageStatus;
  attempts: number;
  error: string | null;
  result: string | null;
  ntfy_id: string | null;
  children: string;
  history: string;
  updated_at: string;
  lease_until: string | null;
}

/** The row for a record: toRecord's inverse (sort_key is created_date#id, the lists' order). */
export function toRow(record: MessageRecord): Row {
  return {
    id: record.id,
    sort_key: `${record.created_date}#${record.id}`,
    type: record.type,
    stage: record.stage,
    created_by: record.created_by,
    created_date: record.created_date,
    correlation_id: record.correlation_id,
    causation_id: record.causation_id,
    hop: record.hop,
    payload: JSON.stringify(record.payload),
    raw: record.raw,
    status: record.status,
    attempts: record.attempts,
    error: record.error ? JSON.stringify(record.error) : null,
    result: record.result ? JSON.stringify(record.result) : null,
    ntfy_id: record.ntfy_id,
    children: JSON.stringify(record.children),
    history: JSON.stringify(record.history),
    updated_at: record.updated_at,
    lease_until: record.lease_until,
  };
}

export function toRecord(row: Row): MessageRecord {
  return {
    id: row.id,
    type: row.type,
    stage: row.stage,
    created_by: row.created_by,
    created_date: row.created_date,
    correlation_id: row.correlation_id,
    causation_id: row.causation_id,
    hop: row.hop,
    payload: JSON.parse(row.payload),
    raw: row.raw,
    status: row.status,
    attempts: row.attempts,
    error: row.error ? JSON.parse(row.error) : null,
    result: row.result ? JSON.parse(row.result) : null,
    ntfy_id: row.ntfy_id,
    children: JSON.parse(row.children),
    history: JSON.parse(row.history),
    updated_at: row.updated_at,
    lease_until: row.lease_until,
  };
}

/**
 * Which index serves a list query: the one whose leading columns are the
 * query's equality filters and whose last column is sort_key, so SQLite
 * walks it backwards from the cursor and stops after `limit` rows. Filters
 * the index does not cover are checked on those rows only. INDEXED BY pins
 * the choice: without ANALYZE statistics the planner may prefer a worse one,
 * and if the index were ever missing the query fails instead of scanning.
 */
export function listPlan(query: ListQuery): {
  index: string;
  params: Record<string, string>;
  sql: (withCursor: boolean) => string;
} {
  const filters: [keyof ListQuery & string, string | undefined][] = [
    ['stage', query.stage],
    ['status', query.status],
    ['type', query.type],
    ['created_by', query.created_by],
  ];
  const present = filters.filter(([, value]) => value !== undefined && value !== '') as [string, string][];
  const has = (name: string) => present.some(([key]) => key === name);
  const index = has('created_by')
    ? 'messages_by_creator'
    : has('stage') && has('status')
      ? 'messages_by_stage_status'
      : has('stage') && has('type')
        ? 'messages_by_stage_type'
        : has('status')
          ? 'messages_by_status'
          : has('type')
            ? 'messages_by_type'
            : has('stage')
              ? 'messages_by_stage'
              : 'messages_by_time';
  const params = Object.fromEntries(present);
  const where = present.map(([key]) => `${key} = @${key}`);
  return {
    index,
    params,
    sql: (withCursor) => {
      const conditions = withCursor ? [...where, 'sort_key < @after'] : where;
      const clause = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
      return `SELECT * FROM messages INDEXED BY ${index} ${clause} ORDER BY sort_key DESC LIMIT @limit`;
    },
  };
}
