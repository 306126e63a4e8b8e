import { Allowlist } from '../../src/auth/allowlist';
import { fakeGitHub, githubAuth, signInThroughGitHub } from '../support/github-fake';
import { build, type TestConsole } from '../support/helper';

describe('Class: Allowlist', () => {
  const list = new Allowlist(['Ana@Example.com', 'Octocat', ' kate ', 'bob@例え.jp']);

  it('matches a GitHub login only against login entries, and an e-mail only against e-mail entries', () => {
    expect(list.match({ subject: 's', login: 'octocat', emails: [] })).toBe('octocat');
    expect(list.match({ subject: 's', emails: ['ana@example.com'] })).toBe('ana@example.com');
    // An e-mail claim that spells a login entry, and a login that spells an e-mail entry, match nothing.
    expect(list.match({ subject: 's', emails: ['octocat'] })).toBeNull();
    expect(list.match({ subject: 's', login: 'ana@example.com', emails: [] })).toBeNull();
  });

  it('folds ASCII letters only: no lookalike matches an entry', () => {
    expect(list.match({ subject: 's', login: 'KATE', emails: [] })).toBe('kate');
    expect(list.match({ subject: 's', emails: ['ANA@EXAMPLE.COM'] })).toBe('ana@example.com');
    for (const lookalike of ['\u212Aate', 'ka\u0074e\u200b', 'kat\u00e9', 'ｋａｔｅ', 'ĸate']) {
      expect({ lookalike, matched: list.match({ subject: 's', login: lookalike, emails: [] }) }).toEqual({
        lookalike,
        matched: null,
      });
    }
    expect(list.match({ subject: 's', emails: ['ana@example.\u212Aom'] })).toBeNull();
    expect(list.match({ subject: 's', emails: ['bob@例え.jp'] })).toBe('bob@例え.jp');
  });

  it('says whether an entry is still on the list, by kind', () => {
    expect(list.has('octocat')).toBe(true);
    expect(list.has('ana@example.com')).toBe(true);
    expect(list.has('mallory')).toBe(false);
  });
});

describe('Sign-in through GitHub: who the allowlist lets in', () => {
  let t: TestConsole;
  afterEach(async () => {
    await t?.app.close();
  });

  it('lets in a verified e-mail on the list, as that entry', async () => {
    const github = fakeGitHub({
      id: 1,
      login: 'ana-gh',
      emails: [{ email: 'Ana@Example.com', verified: true }],
    });
    t = await build({ auth: githubAuth(github.fetch, ['ana@example.com']) });
    const signIn = await signInThroughGitHub(t);
    expect(signIn.status).toBe(303);
    expect(t.app.openSession(String(signIn.cookie?.slice('rez_session='.length)))?.get('user')).toMatchObject(
      {
        handle: 'ana-gh',
        entry: 'ana@example.com',
      },
    );
  });

  it.each([
    ['an unverified e-mail', { verified: false }],
    ['an e-mail whose verified flag is the string "true"', { verified: 'true' }],
    ['an e-mail with no verified flag', { verified: undefined }],
  ])('keeps out %s (403)', async (_name, flag) => {
    const github = fakeGitHub({ id: 2, login: 'mallory', emails: [{ email: 'ana@example.com', ...flag }] });
    t = await build({ auth: githubAuth(github.fetch, ['ana@example.com']) });
    const signIn = await signInThroughGitHub(t);
    expect(signIn.status).toBe(403);
    const session = signIn.cookie ? t.app.openSession(signIn.cookie.slice('rez_session='.length)) : null;
    expect(session?.get('user')).toBeUndefined();
  });

  it('keeps out a login with a KELVIN SIGN where the entry has K', async () => {
    const github = fakeGitHub({ id: 3, login: '\u212Aate', emails: [] });
    t = await build({ auth: githubAuth(github.fetch, ['kate']) });
    expect((await signInThroughGitHub(t)).status).toBe(403);
  });

  it('keeps out a verified e-mail that spells a GitHub-login entry', async () => {
    const github = fakeGitHub({ id: 4, login: 'someone', emails: [{ email: 'octocat', verified: true }] });
    t = await build({ auth: githubAuth(github.fetch, ['octocat']) });
    expect((await signInThroughGitHub(t)).status).toBe(403);
  });
});
