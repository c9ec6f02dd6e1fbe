import { agencyDirectory, listAgencies, type StateAgency, type UpdateFrequency } from '../subgraphs/kit/agency';
import { escapeHtml, staticDocument, type Routes } from '../subgraphs/kit/http';
import { buildCatalogue, type Catalogue, type CatalogueDataset, type CatalogueField } from '../schema/catalogue';
import type { SharingCategory } from '../schema/sharing';
import { DCAT_PATH } from './dcat';
import { describeOpenDatasets, DOWNLOAD_PATH, type DescribedDataset } from './open-download';
import { feedbackForm, feedbackKinds } from './open-feedback';

/** The sharing categories as the catalogue page names them (Decree 47/2020/NĐ-CP). */
const CATEGORY_LABELS: Readonly<Record<SharingCategory, string>> = {
  OPEN: 'Dữ liệu mở',
  DEFAULT: 'Chia sẻ mặc định',
  SPECIAL_REQUEST: 'Chia sẻ theo yêu cầu riêng',
};


function fieldRow(field: CatalogueField): string {
  const access = field.requestAccess ? `<details><summary>Cách đề nghị</summary><code>${escapeHtml(field.requestAccess)}</code></details>` : '';
  return `<tr class="${field.category.toLowerCase()}"><td><code>${escapeHtml(field.name)}</code></td><td><code>${escapeHtml(field.type)}</code></td><td>${escapeHtml(field.description ?? '')}</td><td>${CATEGORY_LABELS[field.category]}</td><td>${field.personal ? 'Có' : 'Không'}</td><td>${access}</td></tr>`;
}

/** How often a dataset changes, as the page says it (UPDATE_FREQUENCIES). */
const FREQUENCY_LABELS: Readonly<Record<UpdateFrequency, string>> = {
  CONT: 'liên tục: đọc trực tiếp từ hệ thống của cơ quan',
  DAILY: 'hằng ngày',
  WEEKLY: 'hằng tuần',
  MONTHLY: 'hằng tháng',
  QUARTERLY: 'hằng quý',
  ANNUAL: 'hằng năm',
  IRREG: 'không định kỳ: khi có quyết định thay đổi',
};

/** The open datasets as a table a person can download from: title, agency, update frequency, files. */
function openDataSection(described: readonly DescribedDataset[], directory: ReadonlyMap<string, StateAgency>): string {
  const rows = described.map(({ dataset, agency, declared }) => {
    const file = (format: string) => `<a href="${DOWNLOAD_PATH}/${escapeHtml(dataset.name)}.${format}" download>${format.toUpperCase()}</a>`;
    const title = declared ? `${escapeHtml(declared.title)}<br><small>${escapeHtml(declared.englishTitle)}</small>` : `<code>${escapeHtml(dataset.name)}</code>`;
    const publisher = agency ? escapeHtml(directory.get(agency.agencyCode)?.name ?? agency.agencyCode) : '';
    const narrowing = dataset.parameters.length > 0 ? `<br><small>Lọc theo (filters): ${dataset.parameters.map((p) => `<code>${escapeHtml(p.name)}</code>`).join(', ')}</small>` : '';
    return `<tr><td>${title}</td><td>${publisher}</td><td>${declared ? FREQUENCY_LABELS[declared.updateFrequency] : 'chưa khai báo (not declared)'}</td><td>${file('csv')} · ${file('ndjson')}${narrowing}</td></tr>`;
  });
  return `<section class="open-data"><h2 id="du-lieu-mo">Dữ liệu mở tải về (open data downloads)</h2>
<p>Ai cũng tải được, không cần tài khoản. Danh sách máy đọc: <a href="${DOWNLOAD_PATH}">${DOWNLOAD_PATH}</a>; theo chuẩn DCAT: <a href="${DCAT_PATH}">${DCAT_PATH}</a>.</p>
<table><thead><tr><th>Tập dữ liệu</th><th>Cơ quan cung cấp</th><th>Tần suất cập nhật</th><th>Tải về</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

/** The catalogue as a readable Vietnamese page: the open datasets, then agencies, contact officers, databases, datasets, fields. */
export function cataloguePage(catalogue: Catalogue, openData = ''): string {
  const agencies = catalogue.agencies.map((agency) => {
    const databases = agency.databases.map((database) => {
      const section = (dataset: CatalogueDataset) =>
        `<section class="${dataset.paging ? 'dataset paging' : 'dataset'}"><h4 id="${escapeHtml(`${database.subgraph}-${dataset.name}`)}">${escapeHtml(dataset.name)}</h4>
<p>${escapeHtml(dataset.description ?? '')}</p>
<table><thead><tr><th>Trường</th><th>Kiểu</th><th>Mô tả</th><th>Loại chia sẻ</th><th>Dữ liệu cá nhân</th><th>Đề nghị khai thác</th></tr></thead>
<tbody>${dataset.fields.map(fieldRow).join('\n')}</tbody></table></section>`;
      const paging = database.datasets.filter((dataset) => dataset.paging);
      const datasets = [
        ...database.datasets.filter((dataset) => !dataset.paging).map(section),
        ...(paging.length > 0
          ? [`<h4 class="paging-heading">Kiểu phân trang (paging types): một trang của các tập dữ liệu trên, không phải dữ liệu riêng</h4>`, ...paging.map(section)]
          : []),
      ];
      const { contact } = database;
      return `<section class="database"><h3>${escapeHtml(database.name)}</h3>
<p class="english">${escapeHtml(database.englishName)} · subgraph <code>${escapeHtml(database.subgraph)}</code></p>
<p class="contact">Đầu mối: ${escapeHtml(contact.name)}, ${escapeHtml(contact.title)} · <a href="mailto:${escapeHtml(contact.email)}">${escapeHtml(contact.email)}</a> · ${escapeHtml(contact.phone)}</p>
${datasets.join('\n')}</section>`;
    });
    const former = agency.formerNames.length > 0 ? `<p>Tên cũ: ${agency.formerNames.map(escapeHtml).join('; ')}</p>` : '';
    return `<section class="agency"><h2 id="${escapeHtml(agency.code)}">${escapeHtml(agency.name)} <small>(${escapeHtml(agency.code)})</small></h2>${former}\n${databases.join('\n')}</section>`;
  });
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Danh mục dịch vụ chia sẻ dữ liệu — lienthong</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}tr.open td:nth-child(4){color:#0a6b2a}tr.special_request td:nth-child(4){color:#9a3412;font-weight:600}
code{font-size:.9em}details code{display:block;white-space:pre-wrap;margin-top:.3rem}.english{color:#555}
</style></head>
<body><h1>Danh mục dịch vụ chia sẻ dữ liệu của tỉnh</h1>
<p>Sinh từ lược đồ đang phục vụ (supergraph <code>${catalogue.supergraph.slice(0, 12)}</code>). Mỗi trường có một loại chia sẻ theo Nghị định 47/2020/NĐ-CP:
dữ liệu mở (ai cũng xem được, tại <code>/open/graphql</code>), chia sẻ mặc định (mọi cơ quan nhà nước), chia sẻ theo yêu cầu riêng (cần được bên cung cấp cấp quyền).
Bản máy đọc: <a href="/catalog.json">/catalog.json</a>.</p>
<p>Dữ liệu mở tải về không cần tài khoản (CSV, NDJSON): <a href="${DOWNLOAD_PATH}">${DOWNLOAD_PATH}</a>; danh mục dữ liệu mở theo chuẩn DCAT, kèm giấy phép và tần suất cập nhật:
<a href="${DCAT_PATH}">${DCAT_PATH}</a>. (Open data downloads, with no account; the open-data catalogue in DCAT, with licence and update frequency.)</p>
${openData}
${agencies.join('\n')}
</body></html>`;
}

/**
 * `/catalog.json` and `/catalog` for the supergraph the gateway serves, with the agencies'
 * metadata (agency.json, read again for each supergraph, so an agency that joins by publishing is
 * listed as soon as its subgraph is served) and names (schema/agencies.json). Built once per supergraph.
 */
export function catalogueRoutes(supergraphSdl: string, openSupergraphSdl: string): Routes {
  const directory = agencyDirectory();
  const catalogue = buildCatalogue(supergraphSdl, listAgencies('all'), (code) => directory.get(code)?.name ?? code);
  const json = JSON.stringify(catalogue);
  let openData = '';
  try {
    const described = describeOpenDatasets(openSupergraphSdl);
    openData = openDataSection(described, directory) + feedbackForm(described, feedbackKinds(openSupergraphSdl));
  } catch {
    // An open contract that does not build is refused where it is served (server.ts); the page goes without the section.
  }
  const page = cataloguePage(catalogue, openData);
  return {
    '/catalog.json': staticDocument('application/json; charset=utf-8', json),
    '/catalog': staticDocument('text/html; charset=utf-8', page),
  };
}

