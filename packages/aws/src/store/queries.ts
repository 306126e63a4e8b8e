import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ListQuery, Stage } from '@rez/core';

type Filter = 'created_by' | 'status' | 'type' | 'stage';

/**
 * Indexes in order of how few items one key usually holds: a creator has a
 * handful of messages; the statuses people filter on (failed, queued,
 * processing) are small sets; a type has many; a stage holds everything.
 * (status=completed is large too, but still no larger than its stage.)
 */
const INDEX_BY_FILTER: readonly [Filter, string][] = [
  ['created_by', 'by-creator'],
  ['status', 'by-status'],
  ['type', 'by-type'],
  ['stage', 'by-stage'],
];

export interface IndexPlan {
  index: string;
  /** The attribute the index is keyed by, and the value asked for. */
  key: Filter;
  value: string;
  /** The other filters, applied as a FilterExpression. */
  filters: Partial<Record<Filter, string>>;
}

/** The most selective index for the filters given; by-stage on `defaultStage` when there are none. */
export function pickIndex(query: ListQuery, defaultStage: Stage): IndexPlan {
  const given: Partial<Record<Filter, string>> = {};
  for (const [filter] of INDEX_BY_FILTER) {
    const value = query[filter];
    if (value) given[filter] = value;
  }
  const chosen = INDEX_BY_FILTER.find(([filter]) => given[filter] !== undefined);
  if (!chosen) return { index: 'by-stage', key: 'stage', value: defaultStage, filters: {} };
  const [key, index] = chosen;
  const { [key]: value, ...filters } = given;
  return { index, key, value: value as string, filters };
}

/**
 * Newest-first items of `plan` older than `before`, until `wanted` matched or
 * the index is exhausted. DynamoDB applies Limit before the FilterExpression,
 * so a filtered page may come back short or empty while more items remain:
 * we keep following LastEvaluatedKey.
 */
export async function queryPage(
  client: DynamoDBDocumentClient,
  table: string,
  plan: IndexPlan,
  options: { before: string | null; wanted: number },
): Promise<Record<string, unknown>[]> {
  const names: Record<string, string> = { '#key': plan.key };
  const values: Record<string, unknown> = { ':key': plan.value };
  // DynamoDB rejects names and values an expression does not use.
  if (options.before) {
    names['#created'] = 'created_key';
    values[':before'] = options.before;
  }
  const filters = Object.entries(plan.filters).map(([field, value]) => {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    return `#${field} = :${field}`;
  });
  const filtered = filters.length > 0;
  const found: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const needed = options.wanted - found.length;
    const result = await client.send(
      new QueryCommand({
        TableName: table,
        IndexName: plan.index,
        KeyConditionExpression: options.before ? '#key = :key AND #created < :before' : '#key = :key',
        ...(filtered ? { FilterExpression: filters.join(' AND ') } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        // Unfiltered, every item read is a match; filtered, read wider pages to save round trips.
        Limit: filtered ? Math.max(needed * 4, 100) : needed,
        ExclusiveStartKey: start,
      }),
    );
    found.push(...(result.Items ?? []));
    start = result.LastEvaluatedKey;
  } while (start && found.length < options.wanted);
  return found.slice(0, options.wanted);
}

/** Every item a query matches, following LastEvaluatedKey to the end. */
export async function queryAll(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const result = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(result.Items ?? []));
    start = result.LastEvaluatedKey;
  } while (start);
  return items;
}
