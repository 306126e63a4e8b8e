import { ConfigError, NtfyClient, readUrl, redactUrlCredentials } from '@rez/core';

describe('Function: redactUrlCredentials', () => {
  it.each([
    ['https://rez:s3cret@ntfy.example.com/topic', 'https://***@ntfy.example.com/topic'],
    ['http://token@127.0.0.1:8080', 'http://***@127.0.0.1:8080'],
    ['redis://:only-a-password@cache:6379', 'redis://***@cache:6379'],
    ['see ftp://a:b@x and https://c:d@y/z', 'see ftp://***@x and https://***@y/z'],
    ['https://user:p%40ss@host', 'https://***@host'],
  ])('%s → %s', (text, redacted) => {
    expect(redactUrlCredentials(text)).toBe(redacted);
  });

  it.each([
    'https://ntfy.sh/rez-topic',
    'mail ada@example.com',
    'https://example.com/path?from=ada@example.com',
    'https://example.com/#ada@example.com',
  ])('leaves %s alone', (text) => {
    expect(redactUrlCredentials(text)).toBe(text);
  });
});

describe('Function: readUrl', () => {
  it('keeps credentials in the value it returns, and never shows them in an error', () => {
    expect(readUrl({ NTFY_BASE_URL: 'https://rez:s3cret@ntfy.example.com/' }, 'NTFY_BASE_URL')).toBe(
      'https://rez:s3cret@ntfy.example.com',
    );
    let error: ConfigError | undefined;
    try {
      readUrl({ NTFY_BASE_URL: 'ftp://rez:s3cret@ntfy.example.com' }, 'NTFY_BASE_URL');
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toBe(
      'configuration error: NTFY_BASE_URL must be an http(s) URL, got "ftp://***@ntfy.example.com"',
    );
  });
});

describe('Class: NtfyClient (constructor)', () => {
  it('never shows the credentials of a base URL it refuses', () => {
    expect(() => new NtfyClient({ baseUrl: 'ftp://rez:s3cret@ntfy.example.com', topic: 't' })).toThrow(
      'ntfy base URL must be http(s), got "ftp://***@ntfy.example.com"',
    );
  });
});
