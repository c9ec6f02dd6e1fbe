/**
 * `npm run token` refuses what the services would refuse, before making a token, and says why in
 * Vietnamese first, then English, exiting 2 (bad usage).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const token = (...args: string[]) => spawnSync('npx', ['tsx', join(__dirname, '..', 'scripts', 'token.ts'), ...args], { encoding: 'utf8', timeout: 60_000 });

describe('npm run token', () => {
  it.each([
    [['--citizen', '123'], '--citizen là số định danh cá nhân 12 chữ số. (--citizen takes a 12-digit personal id.)'],
    [['--agency', 'so-y-te', '--role', 'king'], '--role là official, owner hoặc governance. (--role is official, owner or governance.)'],
    [['--agency', 'so-y-tee'], '--agency so-y-tee --role official: cơ quan không có trong danh bạ cơ quan nhà nước; chạy `npm run token` để xem danh sách. (agency is not a state agency of the directory; run `npm run token` for the list.)'],
    [['--agency', 'so-y-te', '--role', 'governance'], '--agency so-y-te --role governance: chỉ cơ quan quản lý mới có vai trò "governance"; chạy `npm run token` để xem danh sách. (role "governance" is held only by the governing department; run `npm run token` for the list.)'],
    // Bad usage, as commander finds it, and an option given twice, of which one would be dropped.
    [['--agnecy', 'so-y-te'], "Lỗi: tùy chọn '--agnecy' không có; xem --help (unknown option '--agnecy'; see --help)."],
    [['--agency', 'so-y-te', '--agency', 'cong-an'], "Lỗi: tùy chọn '--agency' chỉ được nêu một lần (give '--agency' once)."],
  ])('refuses %j, saying why in both languages, and makes no token', (args, said) => {
    const run = token(...args);
    expect({ status: run.status, out: run.stdout, err: run.stderr.trim() }).toEqual({ status: 2, out: '', err: said });
  }, 60_000);
});
