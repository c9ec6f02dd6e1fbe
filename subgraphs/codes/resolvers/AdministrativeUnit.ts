import { pageRequest, toPage } from '../../kit/pagination';
import type { AdministrativeUnitResolvers } from '../__generated__/resolvers-types';
import { unitWithLineage, type CodesContext } from '../context';
import type { AdministrativeUnitRow, UnitKey } from '../store';

const UNIT_CODE = /^(\d{2}|\d{3}|\d{5})$/;

/**
 * A representation's key, or null when it is not a well-formed one: representations reach
 * `_entities` as untyped JSON, so the scalar checks never ran on them.
 */
function referenceKey(reference: { code: unknown; edition: unknown }): UnitKey | null {
  const { code, edition } = reference;
  if (typeof code !== 'string' || !UNIT_CODE.test(code)) return null;
  if (edition !== 'THREE_LEVEL' && edition !== 'TWO_LEVEL') return null;
  return { code, edition };
}

/** The unit and its ancestors, nearest first. The row came from the table, so its lineage exists. */
async function lineage(row: AdministrativeUnitRow, context: CodesContext): Promise<AdministrativeUnitRow[]> {
  const chain = await context.lineageOf.load(row);
  if (chain.length === 0) throw new Error(`administrative unit ${row.edition}:${row.code} has no lineage`);
  return chain;
}

const isThreeLevelCommune = (row: AdministrativeUnitRow) => row.edition === 'THREE_LEVEL' && row.level === 'COMMUNE';
const isTwoLevelCommune = (row: AdministrativeUnitRow) => row.edition === 'TWO_LEVEL' && row.level === 'COMMUNE';

export const AdministrativeUnit: AdministrativeUnitResolvers = {
  // Addresses reach codes as references and almost always ask for names up the chain (fullName,
  // province): loading the lineage here answers both in the one statement, and the successors too
  // when they are asked for.
  __resolveReference: async (reference, context, info) => {
    const key = referenceKey(reference);
    return key ? unitWithLineage(context, key, info) : null;
  },
  code: (row) => row.code,
  edition: (row) => row.edition,
  name: (row) => row.name,
  kind: (row) => row.kind,
  level: (row) => row.level,
  fullName: async (row, _args, context) => (await lineage(row, context)).map((unit) => unit.name).join(', '),
  parent: async (row, _args, context) => (row.parent_code === null ? null : ((await lineage(row, context))[1] ?? null)),
  province: async (row, _args, context) => {
    const chain = await lineage(row, context);
    const top = chain[chain.length - 1];
    // The table's checks make every chain end at a province; anything else is a corrupted table.
    if (top?.level !== 'PROVINCE') throw new Error(`administrative unit ${row.edition}:${row.code} has no province`);
    return top;
  },
  district: async (row, _args, context) =>
    isThreeLevelCommune(row) ? ((await lineage(row, context)).find((unit) => unit.level === 'DISTRICT') ?? null) : null,
  validFrom: (row) => row.valid_from,
  validUntil: (row) => row.valid_until,
  isCurrent: (row) => row.valid_until === null,
  successors: (row, _args, context) => (isThreeLevelCommune(row) ? context.successorsOf.load(row.code) : []),
  predecessors: (row, _args, context) => (isTwoLevelCommune(row) ? context.predecessorsOf.load(row.code) : []),
  children: async (row, { first, after }, context, info) => {
    const page = pageRequest({ first, after }, info);
    // Communes are the lowest level: no statement needed to know they have no children.
    if (row.level === 'COMMUNE') return toPage([], page);
    const rows = await context.childrenOf(page).load(row);
    for (const child of rows) context.unitByKey.prime(child, child);
    return toPage(rows, page);
  },
};
