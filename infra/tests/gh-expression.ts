/**
 * Evaluates the subset of GitHub Actions expressions the workflows use in
 * their `concurrency` and `if` keys: `${{ … }}` with property paths, string
 * and number literals, `==`, `!=`, `&&`, `||`, parentheses and
 * `format('…{0}…', …)`. Semantics follow GitHub's: `&&`/`||` return an
 * operand, missing properties are null, empty strings and null are falsy.
 * Anything else throws, so a workflow this cannot read fails its test.
 */
type Value = string | number | boolean | null | Record<string, unknown>;

const TOKEN =
  /\s*(\$\{\{|\}\}|'(?:[^']|'')*'|\d+|==|!=|&&|\|\||[(),!]|[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.trimEnd().length) {
    const match = TOKEN.exec(source);
    if (!match) throw new Error(`gh-expression: cannot read "${source.slice(TOKEN.lastIndex)}"`);
    tokens.push(match[1]);
  }
  return tokens;
}

const truthy = (v: Value) => !(v === null || v === false || v === 0 || v === '');

/** The value of `expression` (a whole `${{ … }}` string) in `context`. */
export function evaluate(expression: string, context: Record<string, unknown>): Value {
  const tokens = tokenize(expression);
  if (tokens.shift() !== '${{' || tokens.pop() !== '}}')
    throw new Error(`gh-expression: not \${{ … }}: ${expression}`);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at++];
    if (expected !== undefined && token !== expected)
      throw new Error(`gh-expression: expected ${expected}, got ${token}`);
    return token;
  };
  const primary = (): Value => {
    const token = take();
    if (token === '(') {
      const value = or();
      take(')');
      return value;
    }
    if (token === '!') return !truthy(primary());
    if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'");
    if (/^\d+$/.test(token)) return Number(token);
    if (token === 'true' || token === 'false') return token === 'true';
    if (token === 'format') {
      take('(');
      const args: Value[] = [or()];
      while (peek() === ',') {
        take(',');
        args.push(or());
      }
      take(')');
      return String(args[0]).replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i) + 1] ?? ''));
    }
    return token
      .split('.')
      .reduce<unknown>((v, key) => (v as Record<string, unknown> | null)?.[key] ?? null, context) as Value;
  };
  const equality = (): Value => {
    let left = primary();
    while (peek() === '==' || peek() === '!=') {
      const op = take();
      const right = primary();
      left = op === '==' ? left === right : left !== right;
    }
    return left;
  };
  const and = (): Value => {
    let left = equality();
    while (peek() === '&&') {
      take();
      const right = equality();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const or = (): Value => {
    let left = and();
    while (peek() === '||') {
      take();
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`gh-expression: unread tokens ${tokens.slice(at).join(' ')}`);
  return value;
}
