/**
 * A small IAM policy evaluator for tests: explicit Deny wins, then any Allow,
 * else implicit deny. Actions match case-insensitively with `*`/`?`,
 * resources case-sensitively. Conditions: StringEquals, StringLike, ArnEquals,
 * ArnLike (a missing context key fails them, as in IAM); any other operator
 * throws, so a policy this cannot judge fails the test instead of passing it.
 */

export interface EvalStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface EvalDocument {
  Statement: EvalStatement[];
}

/** Request context values, e.g. `{ 'aws:RequestTag/rez:stage': 'dev', 'iam:PermissionsBoundary': '…' }`. */
export type Context = Record<string, string>;

export type Decision = 'allow' | 'deny' | 'implicit-deny';

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

function conditionHolds(condition: EvalStatement['Condition'], context: Context): boolean {
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const actual = context[key];
      if (actual === undefined) return false;
      const values = list(expected);
      switch (operator) {
        case 'StringEquals':
        case 'ArnEquals':
          if (!values.includes(actual)) return false;
          break;
        case 'StringLike':
        case 'ArnLike':
          if (!values.some((pattern) => glob(pattern, actual, false))) return false;
          break;
        default:
          throw new Error(`iam-eval: condition operator ${operator} is not supported`);
      }
    }
  }
  return true;
}

function matches(statement: EvalStatement, action: string, resource: string, context: Context): boolean {
  return (
    list(statement.Action).some((pattern) => glob(pattern, action, true)) &&
    list(statement.Resource).some((pattern) => glob(pattern, resource, false)) &&
    conditionHolds(statement.Condition, context)
  );
}

/** What IAM would decide for one action on one resource under `documents` (identity policies of one role). */
export function decide(
  documents: EvalDocument[],
  action: string,
  resource: string,
  context: Context = {},
): Decision {
  const statements = documents.flatMap((d) => d.Statement);
  if (statements.some((s) => s.Effect === 'Deny' && matches(s, action, resource, context))) return 'deny';
  return statements.some((s) => s.Effect === 'Allow' && matches(s, action, resource, context))
    ? 'allow'
    : 'implicit-deny';
}
