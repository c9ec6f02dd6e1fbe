import { composeSupergraph } from '../schema/compose';
import { openDatasets } from './open-download';

describe('openDatasets', () => {
  it('offers a plain list whole only when nothing cuts it short: not one that takes first', () => {
    const composed = composeSupergraph([
      {
        name: 'events',
        url: 'http://127.0.0.1:1/graphql',
        sdl: `
          type Query {
            "Bảng mã sự kiện (event kinds; bounded: a few dozen)."
            eventKinds: [EventKind!] @sharing(category: OPEN)
            "Sự kiện gần đây (recent events)."
            recentEvents(first: Int = 20): [EventKind!] @sharing(category: OPEN)
          }
          "Loại sự kiện (an event kind)."
          type EventKind @sharing(category: OPEN) {
            "Mã (code)."
            code: String!
          }`,
      },
    ]);
    if (!composed.ok) throw new Error(composed.errors.join('\n'));
    expect(openDatasets(composed.supergraphSdl).map((dataset) => [dataset.name, dataset.paged])).toEqual([['eventKinds', false]]);
  });
});
