import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, Source } from 'graphql';
import { checkSubgraph, LintRule, MAX_SUBGRAPH_COORDINATES, type CheckResult, type FieldConsumer } from './check';
import { composeSupergraph, localSubgraphSources, SUPERGRAPH_PATH, type SubgraphSource } from './compose';
import { lintSubgraph } from './lint';
import { listAgencies } from '../subgraphs/kit/agency';

const REPO_ROOT = join(__dirname, '..');
const lines = (...text: string[]) => `${text.join('\n')}\n`;
const lint = (sdl: string) => lintSubgraph('demo', parse(new Source(sdl, 'demo')));
const at = (line: number, column: number) => [{ source: 'demo', line, column }];

/** An OPEN object type that follows every rule, for schemas that test a rule elsewhere. */
const OPEN_THING = ['"Một vật (a thing)."', 'type Thing @sharing(category: OPEN) {', '  "Mã (id)."', '  id: ID!', '}'];

describe('lint rules on a minimal bad schema', () => {
  it('finds nothing in a small schema that follows every rule', () => {
    const sdl = lines(
      'type Query {',
      '  "Tra cứu một vật (look up a thing)."',
      '  thing(id: ID!, first: Int = 20, after: String): ThingConnection @sharing(category: OPEN)',
      '}',
      '"Một trang vật (a page of things)."',
      'type ThingConnection @sharing(category: OPEN) {',
      '  "Các vật (things)."',
      '  nodes: [Thing!]!',
      '  "Phân trang (paging)."',
      '  pageInfo: PageInfo!',
      '}',
      '"Một vật (a thing)."',
      'type Thing @sharing(category: OPEN) {',
      '  "Mã xã (commune code)."',
      '  communeCode: AdministrativeUnitCode',
      '  "Các thẻ (tags): a list of values, not of records."',
      '  tags: [String!]!',
      '  "Các phần, tối đa 5 (parts, at most 5)."',
      '  parts: [Thing!]',
      '  "Các vật liên quan (related things)."',
      '  related(first: Int = 20): [Thing!]',
      '}',
    );
    expect(lint(sdl)).toEqual([]);
  });

  it(`${LintRule.DESCRIPTION}: a type, a field, an input field and an enum value without a description (root types excepted)`, () => {
    const sdl = lines(
      'type Query {',
      '  "Tra cứu (look up)."',
      '  thing(filter: ThingFilter): Thing @sharing(category: OPEN)',
      '}',
      'type Thing @sharing(category: OPEN) {',
      '  id: ID!',
      '}',
      '"Điều kiện (filter)."',
      'input ThingFilter {',
      '  size: Size',
      '}',
      '"Cỡ (size)."',
      'enum Size {',
      '  "Lớn (big)."',
      '  BIG',
      '  SMALL',
      '}',
    );
    const fix = (coordinate: string, vi: string, en: string) =>
      `${coordinate} chưa có mô tả: thêm một chuỗi mô tả ngay trước ${vi}, tiếng Việt rồi tiếng Anh trong ngoặc. ` +
      `(${coordinate} has no description: add a description string just before the ${en}.)`;
    expect(lint(sdl)).toEqual([
      { code: 'LT001-description', subgraph: 'demo', coordinate: 'Thing', locations: at(5, 6), message: fix('Thing', 'định nghĩa kiểu', 'type definition') },
      { code: 'LT001-description', subgraph: 'demo', coordinate: 'Thing.id', locations: at(6, 3), message: fix('Thing.id', 'trường', 'field') },
      { code: 'LT001-description', subgraph: 'demo', coordinate: 'ThingFilter.size', locations: at(10, 3), message: fix('ThingFilter.size', 'trường nhập', 'input field') },
      { code: 'LT001-description', subgraph: 'demo', coordinate: 'Size.SMALL', locations: at(16, 3), message: fix('Size.SMALL', 'giá trị', 'enum value') },
    ]);
  });

  it(`${LintRule.SHARING_CATEGORY}: a field with no category of its own and no type default`, () => {
    const sdl = lines(
      'type Query {',
      '  "Tra cứu (look up)."',
      '  thing: Thing @sharing(category: OPEN)',
      '}',
      '"Một vật (a thing)."',
      'type Thing {',
      '  "Mã (id)."',
      '  id: ID! @sharing(category: OPEN)',
      '  "Tên (name)."',
      '  name: String',
      '}',
    );
    expect(lint(sdl)).toEqual([
      {
        code: 'LT002-sharing-category', subgraph: 'demo', coordinate: 'Thing.name', locations: at(10, 3),
        message: expect.stringContaining('thêm @sharing(category: OPEN | DEFAULT | SPECIAL_REQUEST) vào trường, hoặc vào kiểu Thing làm mặc định'),
      },
    ]);
  });

  it(`${LintRule.PERSONAL_OPEN}: a personal field that is OPEN through its type's default`, () => {
    const sdl = lines(
      'type Query {',
      '  "Tra cứu (look up)."',
      '  person: Person @sharing(category: DEFAULT)',
      '}',
      '"Một người (a person)."',
      'type Person @sharing(category: OPEN) {',
      '  "Họ tên (full name)."',
      '  fullName: String @personal',
      '}',
    );
    expect(lint(sdl)).toEqual([
      {
        code: 'LT003-personal-open', subgraph: 'demo', coordinate: 'Person.fullName', locations: at(8, 3),
        message: expect.stringContaining('đặt @sharing(category: DEFAULT) hoặc SPECIAL_REQUEST trên trường'),
      },
    ]);
  });

  it(`${LintRule.PAGINATION}: an unbounded list of objects, and a page type reached without after`, () => {
    const sdl = lines(
      'type Query {',
      '  "Mọi vật (every thing)."',
      '  things: [Thing!] @sharing(category: OPEN)',
      '  "Một trang vật (a page of things)."',
      '  page(first: Int = 20): ThingConnection @sharing(category: OPEN)',
      '}',
      '"Một trang vật (a page of things)."',
      'type ThingConnection @sharing(category: OPEN) {',
      '  "Các vật (things)."',
      '  nodes: [Thing!]!',
      '  "Phân trang (paging)."',
      '  pageInfo: PageInfo!',
      '}',
      ...OPEN_THING,
    );
    expect(lint(sdl)).toEqual([
      {
        code: 'LT004-pagination', subgraph: 'demo', coordinate: 'Query.things', locations: at(3, 3),
        message: expect.stringContaining('trả về một trang (nodes + pageInfo, tham số first và after), thêm tham số first: Int, hoặc ghi giới hạn vào mô tả'),
      },
      {
        code: 'LT004-pagination', subgraph: 'demo', coordinate: 'Query.page', locations: at(5, 3),
        message: expect.stringContaining('thêm (first: Int = 20, after: String)'),
      },
    ]);
  });

  it(`${LintRule.NULLABLE_ROOT}: a query and a mutation that would null the whole answer`, () => {
    const sdl = lines(
      'type Query {',
      '  "Một vật (a thing)."',
      '  thing(id: ID!): Thing! @sharing(category: OPEN)',
      '  "Các vật, tối đa 5 (things, at most 5)."',
      '  things: [Thing!] @sharing(category: OPEN)',
      '}',
      'type Mutation {',
      '  "Tạo một vật (make a thing)."',
      '  makeThing(id: ID!): Thing! @sharing(category: DEFAULT)',
      '}',
      ...OPEN_THING,
    );
    expect(lint(sdl)).toEqual([
      { code: 'LT009-nullable-root', subgraph: 'demo', coordinate: 'Query.thing', locations: at(3, 3), message: expect.stringContaining('must be nullable: drop the !') },
      { code: 'LT009-nullable-root', subgraph: 'demo', coordinate: 'Mutation.makeThing', locations: at(9, 3), message: expect.stringContaining('không được bắt buộc') },
    ]);
    // A root type renamed by a schema definition is a root type still.
    const renamed = lines(
      'schema { query: Query mutation: ThingMutation }',
      'type Query {',
      '  "Các vật, tối đa 5 (things, at most 5)."',
      '  things: [Thing!] @sharing(category: OPEN)',
      '}',
      'type ThingMutation {',
      '  "Tạo một vật (make a thing)."',
      '  makeThing(id: ID!): Thing! @sharing(category: DEFAULT)',
      '}',
      ...OPEN_THING,
    );
    expect(lint(renamed).map((issue) => [issue.code, issue.coordinate])).toContainEqual(['LT009-nullable-root', 'ThingMutation.makeThing']);
    // And a type merely named Mutation, when the schema names another, is not a root.
    const elsewhere = lint(renamed.replace('mutation: ThingMutation', 'mutation: Mutation2').replace('type ThingMutation {', 'type Mutation2 {') + lines(
      '"Không phải gốc (not a root)."',
      'type Mutation @sharing(category: OPEN) {',
      '  "Một vật (a thing)."',
      '  thing: Thing!',
      '}',
    ));
    expect(elsewhere.filter((issue) => issue.code === 'LT009-nullable-root').map((issue) => issue.coordinate)).toEqual(['Mutation2.makeThing']);
  });

  it(`${LintRule.SHARED_SCALAR}: shared codes held as String, ID or a home-made scalar, in fields, arguments and input fields`, () => {
    const sdl = lines(
      'type Query {',
      '  "Tra cứu doanh nghiệp (look up an enterprise)."',
      '  enterprise(taxCode: String!): Enterprise @sharing(category: OPEN)',
      '}',
      '"Mã tự đặt (a home-made code)."',
      'scalar MyCode',
      '"Doanh nghiệp (an enterprise)."',
      'type Enterprise @sharing(category: OPEN) {',
      '  "Mã xã trụ sở (commune of the head office)."',
      '  headOfficeCommuneCode: MyCode',
      '  "Đơn vị hành chính (a unit, a reference: not a code)."',
      '  commune: AdministrativeUnit',
      '}',
      '"Đơn vị hành chính (an administrative unit)."',
      'type AdministrativeUnit @sharing(category: OPEN) {',
      '  "Mã (code)."',
      '  code: String!',
      '}',
      '"Điều kiện (filter)."',
      'input PersonFilter {',
      '  "Số định danh (personal ids)."',
      '  personalIds: [ID!]',
      '  "Ngành (business line)."',
      '  vsicCode: Int',
      '}',
    );
    const fix = (scalar: string, actual: string) => expect.stringContaining(`phải có kiểu ${scalar} (bảng mã dùng chung, schema/directives.graphql), không phải ${actual}: đổi ${actual} thành ${scalar}`);
    expect(lint(sdl)).toEqual([
      { code: 'LT005-shared-scalar', subgraph: 'demo', coordinate: 'Query.enterprise(taxCode:)', locations: at(3, 14), message: fix('TaxCode', 'String') },
      { code: 'LT005-shared-scalar', subgraph: 'demo', coordinate: 'Enterprise.headOfficeCommuneCode', locations: at(10, 3), message: fix('AdministrativeUnitCode', 'MyCode') },
      { code: 'LT005-shared-scalar', subgraph: 'demo', coordinate: 'AdministrativeUnit.code', locations: at(17, 3), message: fix('AdministrativeUnitCode', 'String') },
      { code: 'LT005-shared-scalar', subgraph: 'demo', coordinate: 'PersonFilter.personalIds', locations: at(22, 3), message: fix('PersonalId', 'ID') },
      { code: 'LT005-shared-scalar', subgraph: 'demo', coordinate: 'PersonFilter.vsicCode', locations: at(24, 3), message: fix('VsicCode', 'Int') },
    ]);
  });

  it(`${LintRule.TYPE_NAME}, ${LintRule.FIELD_NAME} and ${LintRule.ENUM_VALUE_NAME}: names off convention, each with the conventional spelling`, () => {
    const sdl = lines(
      'type Query {',
      '  "Tra cứu thửa (look up a parcel)."',
      '  land_parcel(Parcel_Id: ID!): land_parcel @sharing(category: OPEN)',
      '}',
      '"Thửa đất (a parcel)."',
      'type land_parcel @sharing(category: OPEN) {',
      '  "Ngày cấp (issued on)."',
      '  IssuedOn: Date',
      '  "Tình trạng (status)."',
      '  status: ParcelStatus',
      '}',
      '"Tình trạng (status)."',
      'enum ParcelStatus {',
      '  "Đang sử dụng (in use)."',
      '  inUse',
      '}',
    );
    const rename = (coordinate: string, style: string, suggestion: string) =>
      `Tên ${coordinate} không theo quy ước ${style}: đổi thành ${suggestion}. (${coordinate} is not ${style}: rename it ${suggestion}.)`;
    expect(lint(sdl)).toEqual([
      { code: 'LT007-field-name', subgraph: 'demo', coordinate: 'Query.land_parcel', locations: at(3, 3), message: rename('Query.land_parcel', 'camelCase', 'landParcel') },
      {
        code: 'LT007-field-name', subgraph: 'demo', coordinate: 'Query.land_parcel(Parcel_Id:)', locations: at(3, 15),
        message: rename('Query.land_parcel(Parcel_Id:)', 'camelCase', 'parcelId'),
      },
      { code: 'LT006-type-name', subgraph: 'demo', coordinate: 'land_parcel', locations: at(6, 6), message: rename('land_parcel', 'PascalCase', 'LandParcel') },
      { code: 'LT007-field-name', subgraph: 'demo', coordinate: 'land_parcel.IssuedOn', locations: at(8, 3), message: rename('land_parcel.IssuedOn', 'camelCase', 'issuedOn') },
      { code: 'LT008-enum-value-name', subgraph: 'demo', coordinate: 'ParcelStatus.inUse', locations: at(15, 3), message: rename('ParcelStatus.inUse', 'UPPER_SNAKE_CASE', 'IN_USE') },
    ]);
  });
});

describe('lint rules on the real subgraph schemas', () => {
  it.each(localSubgraphSources('all').map((source) => [source.name, source] as const))('%s: no findings', (name, source) => {
    const findings = lintSubgraph(name, parse(new Source(source.sdl, name))).map(({ code, coordinate }) => ({ code, coordinate }));
    expect(findings).toEqual([]);
  });
});

const owner = lines(
  'type Query {',
  '  "Các vật, tối đa 10 (things, at most 10)."',
  '  things: [Thing!] @sharing(category: DEFAULT)',
  '}',
  '"Một vật (a thing)."',
  'type Thing @key(fields: "id") @sharing(category: DEFAULT) {',
  '  "Mã (id)."',
  '  id: ID!',
  '  "Tên (name)."',
  '  name: String!',
  '  "Bí mật (a secret)."',
  '  secret: String @sharing(category: SPECIAL_REQUEST)',
  '}',
  // The open contract needs one open field to compose (the check composes it too).
  'extend type Query {',
  '  "Phiên bản dịch vụ (the service version)."',
  '  version: String @sharing(category: OPEN)',
  '}',
);
const contributor = lines(
  '"Một vật, thêm một trường (a thing, extended)."',
  'type Thing @key(fields: "id") {',
  '  "Mã (id)."',
  '  id: ID! @sharing(category: DEFAULT)',
  '  "Thêm (extra)."',
  '  extra: Int @sharing(category: DEFAULT)',
  '}',
);
const current: readonly SubgraphSource[] = [
  { name: 'owner', url: 'http://owner.test/graphql', sdl: owner },
  { name: 'contributor', url: 'http://contributor.test/graphql', sdl: contributor },
];
function currentSupergraph(): string {
  const composed = composeSupergraph(current);
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  return composed.supergraphSdl;
}

/** A result with every step passed and nothing found, to spread the expected differences into. */
const clean = (subgraph: string): Omit<CheckResult, 'supergraphSdl'> => ({
  subgraph,
  outcome: 'ok',
  composition: { status: 'passed', issues: [] },
  lint: { status: 'passed', issues: [] },
  breakingChanges: { status: 'passed', issues: [], warnings: [] },
  categoryChanges: { status: 'passed', loosened: [], tightened: [] },
});

describe('checkSubgraph', () => {
  it('passes an unchanged subgraph and composes exactly the current supergraph', async () => {
    const supergraph = currentSupergraph();
    const result = await checkSubgraph({ subgraph: 'owner', sdl: owner, subgraphs: current, currentSupergraphSdl: supergraph });
    expect(result).toEqual({ ...clean('owner'), supergraphSdl: supergraph });
  });

  it.each(localSubgraphSources().map((s) => [s.name]))(
    'passes the real %s subgraph, unchanged, against the committed supergraph',
    async (name) => {
      const subgraphs = localSubgraphSources();
      const committed = readFileSync(SUPERGRAPH_PATH, 'utf8');
      const sdl = subgraphs.find((s) => s.name === name)?.sdl ?? '';
      expect(await checkSubgraph({ subgraph: name, sdl, subgraphs, currentSupergraphSdl: committed })).toEqual({ ...clean(name), supergraphSdl: committed });
    },
  );

  it.each(listAgencies('all').filter((agency) => !agency.defaultComposition).map((agency) => [agency.subgraph]))(
    'passes the %s subgraph, outside the default composition, joining the committed supergraph',
    async (name) => {
      const sdl = localSubgraphSources('all').find((s) => s.name === name)?.sdl ?? '';
      const { supergraphSdl, ...result } = await checkSubgraph({ subgraph: name, sdl, subgraphs: localSubgraphSources(), currentSupergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8') });
      expect(result).toEqual(clean(name));
      expect(supergraphSdl).toContain(`@join__graph(name: "${name}"`);
    },
  );

  it('refuses a subgraph over the size bound before composing it', async () => {
    // 4,000 fields: composing them would hold the registry's thread for seconds.
    const fields = Array.from({ length: 4000 }, (_, i) => `  f${i}: Int @sharing(category: OPEN)`);
    const sdl = lines('type Query {', ...fields, '}');
    const result = await checkSubgraph({ subgraph: 'owner', sdl, subgraphs: current, currentSupergraphSdl: currentSupergraph() });
    expect(result.outcome).toBe('failed');
    expect(result.composition.issues).toEqual([
      expect.objectContaining({ code: 'SUBGRAPH_TOO_LARGE', subgraph: 'owner', message: expect.stringContaining(`declares 4001 types, fields, arguments and values; at most ${MAX_SUBGRAPH_COORDINATES}`) }),
    ]);
    // Nothing else ran: composing alone would take seconds.
    expect(result.lint.status).toBe('skipped');
    expect(result).not.toHaveProperty('supergraphSdl');
  });

  it('returns a parse error with its location, and runs nothing else', async () => {
    const sdl = lines('type Query {', '  "Tra cứu (look up)."', '  thing(: Thing @sharing(category: OPEN)', '}');
    expect(await checkSubgraph({ subgraph: 'owner', sdl, subgraphs: current, currentSupergraphSdl: currentSupergraph() })).toEqual({
      subgraph: 'owner',
      outcome: 'failed',
      composition: {
        status: 'failed',
        issues: [
          {
            code: 'INVALID_SDL',
            message: 'Lỗi cú pháp SDL (SDL syntax error): Syntax Error: Expected Name, found ":".',
            subgraph: 'owner',
            locations: [{ source: 'owner', line: 3, column: 9 }],
          },
        ],
      },
      lint: { status: 'skipped', issues: [] },
      breakingChanges: { status: 'skipped', issues: [], warnings: [] },
      categoryChanges: { status: 'skipped', loosened: [], tightened: [] },
    });
  });

  it('refuses SDL nested too deeply to read as SDL_TOO_DEEP, not with the stack overflow\'s own words', async () => {
    const sdl = `type Query { a: ${'['.repeat(50_000)}Int${']'.repeat(50_000)} }`;
    const result = await checkSubgraph({ subgraph: 'owner', sdl, subgraphs: current, currentSupergraphSdl: currentSupergraph() });
    expect({ outcome: result.outcome, issues: result.composition.issues.map(({ code, message }) => ({ code, english: /\(The SDL nests too deeply/.test(message) })) }).toEqual({
      outcome: 'failed',
      issues: [{ code: 'SDL_TOO_DEEP', english: true }],
    });
  });

  it('reports a composition error with the subgraph and the line and column in each subgraph involved', async () => {
    const sdl = contributor.replace('id: ID! @sharing', 'id: Int! @sharing');
    expect(await checkSubgraph({ subgraph: 'contributor', sdl, subgraphs: current, currentSupergraphSdl: currentSupergraph() })).toEqual({
      ...clean('contributor'),
      outcome: 'failed',
      composition: {
        status: 'failed',
        issues: [
          {
            code: 'FIELD_TYPE_MISMATCH',
            message: 'Type of field "Thing.id" is incompatible across subgraphs: it has type "Int!" in subgraph "contributor" but type "ID!" in subgraph "owner"',
            subgraph: 'contributor',
            locations: [
              { source: 'contributor', line: 4, column: 3 },
              { source: 'owner', line: 8, column: 3 },
            ],
          },
        ],
      },
      breakingChanges: { status: 'skipped', issues: [], warnings: [] },
    });
  });

  it("names the current subgraph whose SDL no longer parses, instead of throwing", async () => {
    const broken = [current[0] as SubgraphSource, { name: 'contributor', url: 'http://contributor.test/graphql', sdl: 'type {' }];
    const result = await checkSubgraph({ subgraph: 'owner', sdl: owner, subgraphs: broken, currentSupergraphSdl: currentSupergraph() });
    expect(result.outcome).toBe('failed');
    expect(result.composition).toEqual({
      status: 'failed',
      issues: [
        {
          code: 'INVALID_SDL',
          message: 'Lỗi cú pháp SDL (SDL syntax error): Syntax Error: Expected Name, found "{".',
          subgraph: 'contributor',
          locations: [{ source: 'contributor', line: 1, column: 6 }],
        },
      ],
    });
  });

  it('composes a proposal with an uncategorised field and leaves the finding to lint, with its location', async () => {
    const sdl = contributor.replace('extra: Int @sharing(category: DEFAULT)', 'extra: Int');
    const result = await checkSubgraph({ subgraph: 'contributor', sdl, subgraphs: current, currentSupergraphSdl: currentSupergraph() });
    expect({ ...result, supergraphSdl: undefined }).toEqual({
      ...clean('contributor'),
      outcome: 'failed',
      lint: {
        status: 'failed',
        issues: [
          {
            code: 'LT002-sharing-category', subgraph: 'contributor', coordinate: 'Thing.extra',
            locations: [{ source: 'contributor', line: 6, column: 3 }], message: expect.stringContaining('Thing.extra chưa có nhóm chia sẻ'),
          },
        ],
      },
      supergraphSdl: undefined,
    });
  });

  it('puts a breaking change (a field removed from the graph) to governance, naming the consumers of the field', async () => {
    const sdl = owner.replace('  "Tên (name)."\n  name: String!\n', '');
    const result = await checkSubgraph({ subgraph: 'owner', sdl, subgraphs: current, currentSupergraphSdl: currentSupergraph() });
    expect({ ...result, supergraphSdl: undefined }).toEqual({
      ...clean('owner'),
      outcome: 'needsApproval',
      breakingChanges: {
        status: 'needsApproval',
        issues: [{ code: 'FIELD_REMOVED', message: "Field 'name' was removed from object type 'Thing'", coordinate: 'Thing.name', locations: [] }],
        warnings: [],
      },
      supergraphSdl: undefined,
    });
    const grantsOrUsage = [
      { consumer: 'so-y-te', fields: ['Thing.name'] },
      { consumer: 'so-noi-vu', fields: ['Thing.extra'] },
    ];
    const named = await checkSubgraph({ subgraph: 'owner', sdl, subgraphs: current, currentSupergraphSdl: currentSupergraph(), grantsOrUsage });
    expect(named.breakingChanges.issues).toEqual([
      {
        code: 'FIELD_REMOVED',
        message: "Field 'name' was removed from object type 'Thing'",
        coordinate: 'Thing.name',
        locations: [],
        affectedConsumers: ['so-y-te'],
      },
    ]);
  });

  /**
   * The breaking changes, with the consumers named, of a third subgraph "gadgets" going from `before`
   * to `after` beside the two of `current`. Such a change always needs approval.
   */
  async function breakingInGadgets(before: string, after: string, grantsOrUsage: readonly FieldConsumer[]) {
    const subgraphs = [...current, { name: 'gadgets', url: 'http://gadgets.test/graphql', sdl: before }];
    const composed = composeSupergraph(subgraphs);
    if (!composed.ok) throw new Error(composed.errors.join('\n'));
    const result = await checkSubgraph({ subgraph: 'gadgets', sdl: after, subgraphs, currentSupergraphSdl: composed.supergraphSdl, grantsOrUsage });
    expect(result.outcome).toBe('needsApproval');
    return result.breakingChanges.issues.map(({ code, coordinate, affectedConsumers }) => ({ code, coordinate, affectedConsumers }));
  }

  it('names the consumers of a removed type\'s fields and of a removed field', async () => {
    const gadget = (withGadget: boolean) =>
      lines(
        'type Query {',
        withGadget ? '  "Một thiết bị (a gadget)."' : '  "Số thiết bị (how many gadgets)."',
        withGadget ? '  gadget(id: ID!): Gadget @sharing(category: DEFAULT)' : '  gadgetCount: Int @sharing(category: DEFAULT)',
        '}',
        ...(withGadget ? ['"Một thiết bị (a gadget)."', 'type Gadget @sharing(category: DEFAULT) {', '  "Mã (id)."', '  id: ID!', '}'] : []),
      );
    const breaking = await breakingInGadgets(gadget(true), gadget(false), [
      { consumer: 'so-y-te', fields: ['Gadget.id'] },
      { consumer: 'so-noi-vu', fields: ['Query.gadget'] },
      { consumer: 'so-tai-chinh', fields: ['Thing.name'] },
    ]);
    expect(breaking).toEqual([
      { code: 'TYPE_REMOVED', coordinate: 'Gadget', affectedConsumers: ['so-y-te'] },
      { code: 'FIELD_REMOVED', coordinate: 'Query.gadget', affectedConsumers: ['so-noi-vu'] },
    ]);
  });

  it('names the consumers of a field whose argument is removed', async () => {
    const gadget = (withKind: boolean) =>
      lines(
        'type Query {',
        '  "Một thiết bị (a gadget)."',
        `  gadget(id: ID!${withKind ? ', "Loại (kind)." kind: String' : ''}): ID @sharing(category: DEFAULT)`,
        '}',
      );
    const breaking = await breakingInGadgets(gadget(true), gadget(false), [
      { consumer: 'so-y-te', fields: ['Query.gadget'] },
      { consumer: 'so-noi-vu', fields: ['Query.things'] },
    ]);
    expect(breaking).toEqual([
      { code: 'FIELD_ARGUMENT_REMOVED', coordinate: 'Query.gadget.kind', affectedConsumers: ['so-y-te'] },
    ]);
  });

  it('skips breaking changes before the first publish, when there is no current supergraph', async () => {
    const result = await checkSubgraph({ subgraph: 'owner', sdl: owner, subgraphs: current });
    expect({ ...result, supergraphSdl: undefined }).toEqual({ ...clean('owner'), breakingChanges: { status: 'skipped', issues: [], warnings: [] }, supergraphSdl: undefined });
  });

  it('reports a loosening (SPECIAL_REQUEST → DEFAULT) as needing governance approval', async () => {
    const sdl = owner.replace('secret: String @sharing(category: SPECIAL_REQUEST)', 'secret: String');
    const result = await checkSubgraph({ subgraph: 'owner', sdl, subgraphs: current, currentSupergraphSdl: currentSupergraph() });
    expect({ ...result, supergraphSdl: undefined }).toEqual({
      ...clean('owner'),
      outcome: 'needsApproval',
      categoryChanges: {
        status: 'needsApproval',
        loosened: [
          {
            code: 'CATEGORY_LOOSENED', coordinate: 'Thing.secret', from: 'SPECIAL_REQUEST', to: 'DEFAULT', subgraph: 'owner',
            locations: [{ source: 'owner', line: 12, column: 3 }], affectedConsumers: [],
            message:
              'Thing.secret: SPECIAL_REQUEST → DEFAULT là nới lỏng, cần cơ quan quản lý (Sở KH&CN) phê duyệt trước khi đưa vào đồ thị. ' +
              '(SPECIAL_REQUEST → DEFAULT loosens access and needs governance approval.)',
          },
        ],
        tightened: [],
      },
      supergraphSdl: undefined,
    });
  });

  describe("another agency's fields", () => {
    const tourism = () => localSubgraphSources('all').find((s) => s.name === 'tourism')?.sdl ?? '';
    const check = (extra: string) =>
      checkSubgraph({ subgraph: 'tourism', sdl: tourism() + extra, subgraphs: localSubgraphSources(), currentSupergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8') });
    /** The citizens subgraph's entity as another agency's subgraph would declare it, its full name described by `fullName`'s lines. */
    const citizenWith = (...fullName: string[]) =>
      lines(
        '"Công dân (a citizen)."',
        'type Citizen @key(fields: "id") {',
        '  "Số định danh (personal id)."',
        '  id: PersonalId! @personal @sharing(category: DEFAULT)',
        '  "Họ tên (full name)."',
        ...fullName,
        '}',
      );
    /** The code tables' entity as another subgraph declares it: its key fields, then `fields`' lines. */
    const unitWith = (...fields: string[]) =>
      lines(
        '"Đơn vị hành chính (an administrative unit)."',
        'type AdministrativeUnit @key(fields: "code edition") {',
        '  "Mã (code)."',
        '  code: AdministrativeUnitCode! @sharing(category: OPEN)',
        '  "Hệ thống (edition)."',
        '  edition: AdministrativeEdition! @sharing(category: OPEN)',
        ...fields,
        '}',
      );
    const refusals = (result: CheckResult) => result.composition.issues.filter((i) => i.code === 'FIELD_OF_ANOTHER_AGENCY').map((i) => i.coordinate);

    it('refuses taking over a field of another agency with @override, though composition allows it', async () => {
      const result = await check(citizenWith('  fullName: String @personal @sharing(category: DEFAULT) @federation__override(from: "citizens")'));
      expect(result.outcome).toBe('failed');
      // Composition alone accepts it: the refusal is the only finding.
      expect(result.composition.issues.map((i) => [i.code, i.coordinate])).toEqual([['FIELD_OF_ANOTHER_AGENCY', 'Citizen.fullName']]);
      expect(result.composition.issues[0]?.message).toMatch(/cong-an/);
    });

    it('refuses answering for another agency\'s field with @provides, and receiving it with @requires', async () => {
      const result = await check(
        citizenWith(
          '  fullName: String @personal @sharing(category: DEFAULT) @external',
          '  "Lời chào (a greeting)."',
          '  greeting: String @personal @sharing(category: DEFAULT) @requires(fields: "fullName")',
        ) +
          lines('extend type Query {', '  "Người liên hệ (a contact person)."', '  contact: Citizen @personal @sharing(category: DEFAULT) @provides(fields: "fullName")', '}'),
      );
      expect(result.outcome).toBe('failed');
      // Composition refuses this @provides on its own too (INVALID_FIELD_SHARING); the @requires only this rule does.
      expect(refusals(result)).toEqual(['Citizen.fullName', 'Citizen.fullName']);
    });

    it.each([
      ['a nested field', 'operator { name }'],
      ['a field inside an inline fragment', '... on AccommodationEstablishment { operator { name } }'],
    ])('refuses @requires reaching another agency\'s field through %s', async (_how, fieldSet) => {
      // Tourism's own reference to Sở Tài chính's enterprises, with the enterprise's name as external.
      const stub = 'type Enterprise @key(fields: "taxCode", resolvable: false) {';
      expect(tourism()).toContain(stub);
      const sdl =
        tourism().replace(stub, `${stub}\n  "Tên (name)."\n  name: String! @external @sharing(category: OPEN)`) +
        lines(
          'extend type AccommodationEstablishment {',
          '  "Tên doanh nghiệp viết hoa (the operator\'s name in capitals)."',
          `  operatorShout: String @requires(fields: ${JSON.stringify(fieldSet)}) @sharing(category: OPEN)`,
          '}',
        );
      const result = await checkSubgraph({ subgraph: 'tourism', sdl, subgraphs: localSubgraphSources(), currentSupergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8') });
      expect(result.outcome).toBe('failed');
      expect(result.composition.issues.map((i) => [i.code, i.coordinate])).toEqual([['FIELD_OF_ANOTHER_AGENCY', 'Enterprise.name']]);
    });

    it('refuses a proposal with which the open contract does not compose, though the graph does', async () => {
      // Within one agency (the ledger and the code tables are both Sở KH&CN's) @requires is allowed;
      // declared DEFAULT where the code tables serve it OPEN, the external field cannot be hidden from the contract.
      const access = localSubgraphSources().find((s) => s.name === 'access')?.sdl ?? '';
      const result = await checkSubgraph({
        subgraph: 'access',
        sdl:
          access +
          unitWith(
            '  "Tên (name)."',
            '  name: String! @external @sharing(category: DEFAULT)',
            '  "Nhãn (a label)."',
            '  ledgerLabel: String @requires(fields: "name") @sharing(category: DEFAULT)',
          ),
        subgraphs: localSubgraphSources(),
        currentSupergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
      });
      expect(result.outcome).toBe('failed');
      expect(result.composition.issues.map((i) => i.code)).toEqual(['OPEN_CONTRACT_DOES_NOT_COMPOSE']);
      expect(result.composition.issues[0]?.message).toMatch(/AdministrativeUnit\.name/);
    });

    it.each([
      ['opened', '  id: PersonalId! @personal @sharing(category: OPEN)', /lỏng hơn.*DEFAULT/],
      ['unmarked as personal', '  id: PersonalId! @sharing(category: DEFAULT)', /@personal/],
    ])('refuses another agency\'s personal key %s where a subgraph declares it again', async (_how, id, said) => {
      const sdl = lines(
        '"Công dân (a citizen)."',
        'type Citizen @key(fields: "id") {',
        '  "Số định danh (personal id)."',
        id,
        '  "Số lượt lưu trú (stays)."',
        '  stays: Int @personal @sharing(category: DEFAULT)',
        '}',
      );
      const result = await check(sdl);
      expect(result.outcome).toBe('failed');
      expect(result.composition.issues.filter((i) => i.code === 'FIELD_OF_ANOTHER_AGENCY').map((i) => [i.coordinate, i.message])).toEqual([
        ['Citizen.id', expect.stringMatching(said)],
      ]);
      expect(result.composition.issues[0]?.message).toMatch(/cong-an/);
    });

    it('still lets a subgraph add a field of its own to another agency\'s entity', async () => {
      const result = await check(
        lines(
          '"Công dân (a citizen)."',
          'type Citizen @key(fields: "id") {',
          '  "Số định danh (personal id)."',
          '  id: PersonalId! @personal @sharing(category: DEFAULT)',
          '  "Số cơ sở lưu trú người này đứng tên, tối đa 100 (accommodations registered to this person)."',
          '  accommodationsRegistered: Int @personal @sharing(category: DEFAULT)',
          '}',
        ),
      );
      expect(result.composition).toEqual({ status: 'passed', issues: [] });
    });
  });

  it('reports a new subgraph that serves an existing field more openly than the graph does as a loosening', async () => {
    const newcomer = lines('"Một vật (a thing)."', 'type Thing @key(fields: "id") {', '  "Mã (id)."', '  id: ID! @sharing(category: OPEN)', '}');
    const result = await checkSubgraph({ subgraph: 'newcomer', sdl: newcomer, subgraphs: current, currentSupergraphSdl: currentSupergraph() });
    expect(result.outcome).toBe('needsApproval');
    expect(result.categoryChanges.loosened.map(({ coordinate, from, to }) => ({ coordinate, from, to }))).toEqual([{ coordinate: 'Thing.id', from: 'DEFAULT', to: 'OPEN' }]);
  });

  it('puts a tightening (DEFAULT → SPECIAL_REQUEST) to governance as breaking, naming the consumers that use the field', async () => {
    const sdl = owner.replace('name: String!', 'name: String! @sharing(category: SPECIAL_REQUEST)');
    const grantsOrUsage = [
      { consumer: 'so-y-te', fields: ['Thing.name', 'Thing.secret'] },
      { consumer: 'so-noi-vu', fields: ['Thing.extra'] },
      { consumer: 'so-tai-chinh', fields: ['Thing.name'] },
    ];
    const result = await checkSubgraph({ subgraph: 'owner', sdl, subgraphs: current, currentSupergraphSdl: currentSupergraph(), grantsOrUsage });
    expect({ ...result, supergraphSdl: undefined }).toEqual({
      ...clean('owner'),
      outcome: 'needsApproval',
      categoryChanges: {
        status: 'needsApproval',
        loosened: [],
        tightened: [
          {
            code: 'CATEGORY_TIGHTENED', coordinate: 'Thing.name', from: 'DEFAULT', to: 'SPECIAL_REQUEST', subgraph: 'owner',
            locations: [{ source: 'owner', line: 10, column: 3 }], affectedConsumers: ['so-tai-chinh', 'so-y-te'],
            message:
              'Thing.name: DEFAULT → SPECIAL_REQUEST là thắt chặt, làm hỏng truy vấn của bên đang dùng trường: ' +
              'các cơ quan không có quyền khai thác được cấp (agencies without a grant); so-tai-chinh; so-y-te; ' +
              'cần cơ quan quản lý (Sở KH&CN) phê duyệt. (DEFAULT → SPECIAL_REQUEST tightens access and breaks the consumers of the field; it needs governance approval.)',
          },
        ],
      },
      supergraphSdl: undefined,
    });
  });
});

describe('npm run schema -- check', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lienthong-schema-check-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) =>
    spawnSync('npm', ['run', '--silent', 'schema', '--', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, INIT_CWD: REPO_ROOT } });
  const landSdl = () => readFileSync(join(REPO_ROOT, 'subgraphs', 'land', 'schema.graphql'), 'utf8');

  it('says, checking offline a subgraph outside the committed graph, that it has no version of its own to compare with', () => {
    const cli = run('check', '--subgraph', 'tourism', '--sdl', 'subgraphs/tourism/schema.graphql', '--offline');
    expect(cli.status).toBe(0);
    expect(cli.stderr).toContain('(tourism is not in the committed supergraph: checked as joining it, against no version of its own;');
  });

  it('passes the real land schema: exit 0 and a report of four passed steps', () => {
    const cli = run('check', '--subgraph', 'land', '--sdl', 'subgraphs/land/schema.graphql');
    expect({ status: cli.status, stdout: cli.stdout, stderr: cli.stderr }).toEqual({
      status: 0,
      stderr: '',
      stdout: lines(
        'Kiểm tra lược đồ subgraph "land" (schema check)',
        '',
        '1. Hợp nhất siêu đồ thị (composition): ĐẠT (passed)',
        '2. Quy tắc lược đồ (lint): ĐẠT (passed)',
        '3. Thay đổi phá vỡ so với đồ thị hiện hành (breaking changes): ĐẠT (passed)',
        '4. Thay đổi nhóm chia sẻ (sharing category changes): ĐẠT (passed)',
        '',
        'Kết quả (result): ĐẠT: có thể công bố (ok: may be published). Mã thoát (exit code) 0.',
      ),
    });
  });

  it('fails a schema with lint errors: exit 1, each finding with its rule, file, line and column', () => {
    const path = join(dir, 'land-bad.graphql');
    writeFileSync(path, lines('"Thửa phụ (an extra parcel kind)."', 'type Extra_parcel @sharing(category: OPEN) {', '  "Mã xã (commune code)."', '  communeCode: String', '}') + landSdl());
    const cli = run('check', '--subgraph', 'land', '--sdl', path);
    expect({ status: cli.status, stderr: cli.stderr }).toEqual({ status: 1, stderr: '' });
    expect(cli.stdout.split('\n')).toEqual([
      'Kiểm tra lược đồ subgraph "land" (schema check)',
      '',
      '1. Hợp nhất siêu đồ thị (composition): ĐẠT (passed)',
      '2. Quy tắc lược đồ (lint): KHÔNG ĐẠT (failed)',
      `   ✗ LT006-type-name  Extra_parcel  (${path}:2:6)`,
      '       Tên Extra_parcel không theo quy ước PascalCase: đổi thành ExtraParcel. (Extra_parcel is not PascalCase: rename it ExtraParcel.)',
      `   ✗ LT005-shared-scalar  Extra_parcel.communeCode  (${path}:4:3)`,
      '       Extra_parcel.communeCode chứa mã dùng chung nên phải có kiểu AdministrativeUnitCode (bảng mã dùng chung, schema/directives.graphql), ' +
        'không phải String: đổi String thành AdministrativeUnitCode. (Extra_parcel.communeCode holds a shared code: declare it as AdministrativeUnitCode, not String.)',
      '3. Thay đổi phá vỡ so với đồ thị hiện hành (breaking changes): ĐẠT (passed)',
      '4. Thay đổi nhóm chia sẻ (sharing category changes): ĐẠT (passed)',
      '',
      'Kết quả (result): KHÔNG ĐẠT: chưa được công bố, sửa các lỗi trên (failed: fix the issues above before publishing). Mã thoát (exit code) 1.',
      '',
    ]);
  });

  it('exits 3 when the schema passes but loosens a category, which needs approval', () => {
    const path = join(dir, 'land-looser.graphql');
    const looser = landSdl().replace('holder: LandHolder @personal @sharing(category: SPECIAL_REQUEST)', 'holder: LandHolder @personal @sharing(category: DEFAULT)');
    expect(looser).not.toBe(landSdl());
    writeFileSync(path, looser);
    const cli = run('check', '--subgraph', 'land', '--sdl', path, '--json');
    expect(cli.status).toBe(3);
    const result = JSON.parse(cli.stdout) as CheckResult;
    expect({ outcome: result.outcome, loosened: result.categoryChanges.loosened.map(({ coordinate, from, to }) => ({ coordinate, from, to })) }).toEqual({
      outcome: 'needsApproval',
      loosened: [{ coordinate: 'LandUseCertificate.holder', from: 'SPECIAL_REQUEST', to: 'DEFAULT' }],
    });
  });

  it('refuses an unknown subgraph with exit 2, naming the known ones', () => {
    const cli = run('check', '--subgraph', 'libraries', '--sdl', 'subgraphs/land/schema.graphql');
    const known = listAgencies('all').map((a) => a.subgraph).join(', ');
    expect({ status: cli.status, stdout: cli.stdout, stderr: cli.stderr }).toEqual({
      status: 2,
      stdout: '',
      stderr:
        `Không có subgraph "libraries"; các subgraph đã biết: ${known}. ` +
        '(Unknown subgraph "libraries": a new agency first adds subgraphs/<name>/agency.json.)\n',
    });
  });
});
