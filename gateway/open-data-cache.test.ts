import { OpenDataCache, sharedMaxAge } from './open-data-cache';

describe('the open-data cache', () => {
  it('keeps an entry for the seconds given, and hands out a fresh copy each time', () => {
    let now = 1_000_000;
    const cache = new OpenDataCache(1 << 20, () => now);
    cache.set('unit', JSON.stringify({ code: '01', name: 'Ba Đình' }), 300);

    const first = cache.get('unit') as { name: string };
    first.name = 'changed by a merge';
    expect(cache.get('unit')).toEqual({ code: '01', name: 'Ba Đình' });

    now += 299_999;
    expect(cache.get('unit')).toEqual({ code: '01', name: 'Ba Đình' });
    now += 1;
    expect(cache.get('unit')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps nothing for 0 seconds, and nothing over 1/64 of its budget', () => {
    const cache = new OpenDataCache(6400);
    cache.set('none', '{}', 0);
    cache.set('big', JSON.stringify('x'.repeat(100)), 60);
    cache.set('small', JSON.stringify('x'.repeat(80)), 60);

    expect(cache.get('none')).toBeUndefined();
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('small')).toBe('x'.repeat(80));
  });

  it('pushes out the oldest entries past its budget', () => {
    const cache = new OpenDataCache(64 * 10);
    for (let i = 0; i < 100; i++) cache.set(`k${String(i).padStart(2, '0')}`, JSON.stringify(i), 60);

    // Each entry is 4 or 5 characters (key and JSON): 100 of them fit in 640.
    expect(cache.size).toBe(100);
    for (let i = 100; i < 300; i++) cache.set(`k${i}`, JSON.stringify(i), 60);
    expect(cache.get('k00')).toBeUndefined();
    expect(cache.get('k299')).toBe(299);
    expect(cache.size).toBeLessThan(300);
    let kept = 0;
    for (let i = 0; i < 300; i++) if (cache.get(i < 100 ? `k${String(i).padStart(2, '0')}` : `k${i}`) !== undefined) kept++;
    expect(kept).toBe(cache.size);
  });

  it('remembers, by subgraph, which operations last came back unshareable, until one comes back shareable', () => {
    const cache = new OpenDataCache(1 << 20);
    const query = 'query { citizen { fullName } }';
    expect(cache.mayKeep('citizens', query)).toBe(true);
    cache.learn('citizens', query, false);
    expect(cache.mayKeep('citizens', query)).toBe(false);
    expect(cache.mayKeep('codes', query)).toBe(true);
    cache.learn('citizens', query, true);
    expect(cache.mayKeep('citizens', query)).toBe(true);
    cache.learn('citizens', query, false);
    cache.clear();
    expect(cache.mayKeep('citizens', query)).toBe(true);
  });

  it('forgets everything when cleared, shapes included', () => {
    const cache = new OpenDataCache(1 << 20);
    const shape = cache.shape('codes\nquery { a }');
    expect(cache.shape('codes\nquery { a }')).toBe(shape);
    expect(cache.shape('codes\nquery { b }')).not.toBe(shape);
    cache.set(`${shape}\nx`, '1', 60);
    cache.clear();
    expect(cache.get(`${shape}\nx`)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('what a Cache-Control header lets a shared cache keep', () => {
  it.each([
    ['public, max-age=300', 300],
    ['max-age=60, public', 60],
    ['PUBLIC, MAX-AGE=5', 5],
    ['max-age=300', 0],
    ['private, max-age=300', 0],
    ['public, max-age=300, no-store', 0],
    ['public, no-cache, max-age=300', 0],
    ['public', 0],
    ['public, max-age=-1', 0],
    ['public, max-age=1e3', 0],
    ['no-store', 0],
    ['', 0],
    [null, 0],
  ])('%p keeps for %p s', (header, seconds) => {
    expect(sharedMaxAge(header)).toBe(seconds);
  });
});
