import { forTerminal, oneLine } from '../../src/terminal';

describe('Function: forTerminal', () => {
  it('prints control characters as JSON-style escapes, keeping newlines and tabs', () => {
    expect(forTerminal('a\u001b[2J\tb\nc\u009b\u202e\r')).toBe('a\\u001b[2J\tb\nc\\u009b\\u202e\\u000d');
  });

  it('leaves ordinary text, emoji and other scripts alone', () => {
    const text = 'zażółć gęślą jaźń — 東京 🚀 "quoted" \\ back';
    expect(forTerminal(text)).toBe(text);
  });

  it('keeps JSON valid: an escaped C1 control reads back as itself', () => {
    const value = { reason: 'a\u009bb\u2028c' };
    expect(JSON.parse(forTerminal(JSON.stringify(value)))).toEqual(value);
  });
});

describe('Function: oneLine', () => {
  it('escapes newlines too, so a field cannot forge a line', () => {
    expect(oneLine('ok\nrez: ready')).toBe('ok\\u000arez: ready');
  });
});
