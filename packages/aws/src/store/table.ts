/**
 * The messages table, defined once: the Pulumi store component and the
 * tests (on dynalite) both create it from this. Every list the store port
 * offers is a Query on one of these indexes, never a Scan.
 *
 * Items:
 * - a message:  pk = "msg#<id>", sk = "message", plus the index attributes below
 * - a count:    pk = "counts#<stage>", sk = "<bucket ISO>#<type>", numeric created/completed/failed
 * - a console user's sessions: pk = "console-user#<allowlist entry>", sk = "console-sessions",
 *   numeric epoch and version, map revoked (session id → expiry ms); never expires
 */
export const MESSAGES_TABLE = {
  hashKey: 'pk',
  rangeKey: 'sk',
  attributes: [
    { name: 'pk', type: 'S' },
    { name: 'sk', type: 'S' },
    { name: 'stage', type: 'S' },
    { name: 'status', type: 'S' },
    { name: 'type', type: 'S' },
    { name: 'created_by', type: 'S' },
    { name: 'causation_id', type: 'S' },
    { name: 'created_key', type: 'S' },
  ],
  /** Each index is keyed by one filter and sorted by `created_key` = "<created_date>#<id>". */
  globalSecondaryIndexes: [
    { name: 'by-stage', hashKey: 'stage', rangeKey: 'created_key', projectionType: 'ALL' },
    { name: 'by-status', hashKey: 'status', rangeKey: 'created_key', projectionType: 'ALL' },
    { name: 'by-type', hashKey: 'type', rangeKey: 'created_key', projectionType: 'ALL' },
    { name: 'by-creator', hashKey: 'created_by', rangeKey: 'created_key', projectionType: 'ALL' },
    { name: 'by-causation', hashKey: 'causation_id', rangeKey: 'created_key', projectionType: 'ALL' },
  ],
  /** Epoch seconds after which DynamoDB deletes the item. */
  ttlAttribute: 'expires_at',
} as const;
