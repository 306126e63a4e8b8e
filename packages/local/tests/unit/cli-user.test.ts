import { cliCreator } from '../../src/cli/commands';

describe('Function: cliCreator', () => {
  it('names the login user', () => {
    expect(cliCreator(() => ({ username: 'ada' }), 1000)).toBe('cli:ada');
  });

  it('falls back to the uid where the user id has no passwd entry (os.userInfo throws)', () => {
    const noEntry = () => {
      throw Object.assign(new Error('uv_os_get_passwd returned ENOENT'), { code: 'ERR_SYSTEM_ERROR' });
    };
    expect(cliCreator(noEntry, 54_321)).toBe('cli:uid-54321');
    expect(cliCreator(() => ({ username: '' }), 7)).toBe('cli:uid-7');
  });

  it('says unknown where there is no uid either (Windows)', () => {
    const noEntry = () => {
      throw new Error('no user');
    };
    expect(cliCreator(noEntry, null)).toBe('cli:unknown');
  });
});
