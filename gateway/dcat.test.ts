import { dcatCatalogue } from './dcat';

describe('dcatCatalogue', () => {
  const dataset = { name: 'harbours', description: 'Cảng cá (fishing harbours).', columns: ['code'], paged: true, parameters: [], document: '{ harbours { nodes { code } } }' };
  // A dataset whose owner is unknown: served by no agency with an agency.json here.
  const catalogue = () =>
    dcatCatalogue({
      datasets: [{ dataset, agency: undefined, declared: undefined }],
      downloads: '/open/download',
      directory: new Map([['so-khcn', { code: 'so-khcn', name: 'Sở Khoa học và Công nghệ', formerNames: [], governance: true }]]),
      base: 'https://dulieu.example',
      license: 'https://dulieu.example/licence',
    });

  it('offers a dataset its agency says nothing of, titled by its field, with no frequency or publisher claimed', () => {
    const [described] = catalogue()['dcat:dataset'] as Array<Record<string, unknown>>;
    expect(described).toMatchObject({
      '@id': 'https://dulieu.example/open/catalog.jsonld#harbours',
      'dct:title': [{ '@value': 'harbours', '@language': 'vi' }],
      'dct:description': [{ '@value': 'Cảng cá (fishing harbours).', '@language': 'vi' }],
      'dct:license': { '@id': 'https://dulieu.example/licence' },
    });
    expect(described?.['dct:publisher']).toBeUndefined();
    expect(described?.['dct:accrualPeriodicity']).toBeUndefined();
  });

  it('names the governing department as the publisher of the catalogue itself', () => {
    expect(catalogue()['dct:publisher']).toEqual({ '@id': 'https://dulieu.example/catalog#so-khcn', '@type': 'foaf:Organization', 'foaf:name': 'Sở Khoa học và Công nghệ' });
  });
});
