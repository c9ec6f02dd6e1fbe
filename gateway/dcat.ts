import type { StateAgency, UpdateFrequency } from '../subgraphs/kit/agency';
import type { DescribedDataset } from './open-download';

/**
 * The open-data catalogue in DCAT (W3C Data Catalog Vocabulary, as JSON-LD), so that the national
 * data portal and any harvester can list the province's open datasets (Quy chế Phú Yên Art. 10.3:
 * open data is posted to the national portal; DESIGN.md §2, "a DCAT catalogue with licence and update
 * frequency").
 *
 * Every dataset is one of the open downloads (gateway/open-download.ts), so the catalogue lists what
 * the open contract offers and nothing else: the `@sharing` directives decide, as everywhere. What a
 * category cannot say (a title, how often the data changes) is the owning agency's, from its
 * agency.json `openData`; its publisher and contact point are the agency and its contact officer.
 */

/** Where the catalogue is served. */
export const DCAT_PATH = '/open/catalog.jsonld';

/** The licence open data is offered under when the gateway is given none (OPEN_DATA_LICENSE). */
export const DEFAULT_OPEN_DATA_LICENSE = 'https://creativecommons.org/licenses/by/4.0/';

const FREQUENCY = 'http://publications.europa.eu/resource/authority/frequency/';
const MEDIA_TYPE = 'https://www.iana.org/assignments/media-types/';

/** A text in Vietnamese and in English. */
type Texts = ReadonlyArray<{ readonly '@value': string; readonly '@language': 'vi' | 'en' }>;

function texts(vi: string, en: string | null): Texts {
  return en === null ? [{ '@value': vi, '@language': 'vi' }] : [{ '@value': vi, '@language': 'vi' }, { '@value': en, '@language': 'en' }];
}

/** What the catalogue is made from. */
export interface DcatSources {
  /** The open datasets, in the order the downloads list them, each with its agency and what it declares. */
  readonly datasets: readonly DescribedDataset[];
  /** Where the downloads are: each dataset's files are `<downloads>/<name>.csv` and `.ndjson`. */
  readonly downloads: string;
  /** The state agencies (schema/agencies.json), by code. */
  readonly directory: ReadonlyMap<string, StateAgency>;
  /** The gateway's public address, with no trailing slash: every link in the catalogue starts with it. */
  readonly base: string;
  /** The licence's URL. */
  readonly license: string;
}

/** The catalogue as a JSON-LD document (a `dcat:Catalog`). */
export function dcatCatalogue(sources: DcatSources): Record<string, unknown> {
  const { base, license } = sources;
  const catalogueId = `${base}${DCAT_PATH}`;
  const organisation = (code: string) => {
    const agency = sources.directory.get(code);
    return { '@id': `${base}/catalog#${code}`, '@type': 'foaf:Organization', 'foaf:name': agency?.name ?? code };
  };
  const governance = [...sources.directory.values()].find((agency) => agency.governance);
  const service = `${base}/open/graphql`;
  const datasets = sources.datasets.map(({ dataset, agency, declared }) => {
    const id = `${catalogueId}#${dataset.name}`;
    const file = (format: 'csv' | 'ndjson') => {
      const url = `${base}${sources.downloads}/${dataset.name}.${format}`;
      return {
        '@id': `${id}-${format}`,
        '@type': 'dcat:Distribution',
        'dct:title': format === 'csv' ? 'CSV' : 'NDJSON',
        'dcat:accessURL': { '@id': url },
        'dcat:downloadURL': { '@id': url },
        ...(format === 'csv' ? { 'dcat:mediaType': { '@id': `${MEDIA_TYPE}text/csv` } } : { 'dct:format': 'application/x-ndjson' }),
        'dct:license': { '@id': license },
      };
    };
    return {
      '@id': id,
      '@type': 'dcat:Dataset',
      'dct:identifier': dataset.name,
      'dct:title': declared ? texts(declared.title, declared.englishTitle) : texts(dataset.name, null),
      ...(dataset.description ? { 'dct:description': texts(dataset.description, null) } : {}),
      ...(declared && declared.keywords.length > 0 ? { 'dcat:keyword': declared.keywords.map((keyword) => ({ '@value': keyword, '@language': 'vi' })) } : {}),
      ...(declared ? { 'dct:accrualPeriodicity': { '@id': `${FREQUENCY}${declared.updateFrequency satisfies UpdateFrequency}` } } : {}),
      ...(agency
        ? {
            'dct:publisher': organisation(agency.agencyCode),
            'dcat:contactPoint': {
              '@type': 'vcard:Organization',
              'vcard:fn': `${agency.contact.name}, ${agency.contact.title}`,
              'vcard:hasEmail': { '@id': `mailto:${agency.contact.email}` },
              'vcard:hasTelephone': { '@id': `tel:${agency.contact.phone.replace(/[^0-9+]/g, '')}` },
            },
          }
        : {}),
      'dct:accessRights': { '@id': 'http://publications.europa.eu/resource/authority/access-right/PUBLIC' },
      'dct:license': { '@id': license },
      'dcat:distribution': [file('csv'), file('ndjson')],
    };
  });
  return {
    '@context': {
      dcat: 'http://www.w3.org/ns/dcat#',
      dct: 'http://purl.org/dc/terms/',
      foaf: 'http://xmlns.com/foaf/0.1/',
      vcard: 'http://www.w3.org/2006/vcard/ns#',
    },
    '@id': catalogueId,
    '@type': 'dcat:Catalog',
    'dct:title': texts('Dữ liệu mở của tỉnh', "The province's open data"),
    'dct:description': texts(
      'Dữ liệu mở (Nghị định 47/2020/NĐ-CP): ai cũng dùng được, không cần tài khoản; tải về dạng CSV hoặc NDJSON, hoặc truy vấn qua GraphQL.',
      'Open data (Decree 47/2020/NĐ-CP): for anyone, with no account; download as CSV or NDJSON, or query it through GraphQL.',
    ),
    ...(governance ? { 'dct:publisher': organisation(governance.code) } : {}),
    'dct:language': { '@id': 'http://publications.europa.eu/resource/authority/language/VIE' },
    'dct:license': { '@id': license },
    'foaf:homepage': { '@id': `${base}/catalog` },
    'dcat:service': {
      '@id': service,
      '@type': 'dcat:DataService',
      'dct:title': texts('Dữ liệu mở qua GraphQL, không cần tài khoản', 'Open data through GraphQL, with no account'),
      'dcat:endpointURL': { '@id': service },
      'dcat:servesDataset': datasets.map((dataset) => ({ '@id': dataset['@id'] })),
      'dct:license': { '@id': license },
    },
    'dcat:dataset': datasets,
  };
}
