import { loadAdministrativeUnits } from '../codes/data/administrative-units';
import { communeFor, hash, parcelCommune, TWO_LEVEL_FROM, type CommuneRef } from '../kit/seed-plan';

/** The former Phú Yên, whose three-level communes are the ones seeded before 1 July 2025. */
const FORMER_PROVINCE = '54';

interface Crosswalk {
  /** Former Phú Yên commune → the two-level commune it became part of. */
  readonly toNew: ReadonlyMap<string, string>;
  /** Two-level commune → the former Phú Yên communes merged into it, sorted. */
  readonly toOld: ReadonlyMap<string, readonly string[]>;
}

let crosswalk: Crosswalk | undefined;

function loadCrosswalk(): Crosswalk {
  if (crosswalk) return crosswalk;
  const { units, crosswalk: rows } = loadAdministrativeUnits();
  const districts = new Set(
    units.filter((u) => u.edition === 'THREE_LEVEL' && u.level === 'DISTRICT' && u.parentCode === FORMER_PROVINCE).map((u) => u.code),
  );
  const former = new Set(
    units.filter((u) => u.edition === 'THREE_LEVEL' && u.level === 'COMMUNE' && districts.has(u.parentCode ?? '')).map((u) => u.code),
  );
  const toNew = new Map<string, string>();
  const toOld = new Map<string, string[]>();
  for (const row of rows) {
    if (!former.has(row.oldCode)) continue;
    // An old commune split between new ones goes, for seeding, to the first of them (rows are sorted).
    if (!toNew.has(row.oldCode)) toNew.set(row.oldCode, row.newCode);
    toOld.set(row.newCode, [...(toOld.get(row.newCode) ?? []), row.oldCode]);
  }
  crosswalk = { toNew, toOld };
  return crosswalk;
}

/**
 * The commune permit `permit`, issued on `issuedOn` on parcel `parcel`, is filed under: the parcel's
 * commune in the land seed when both records fall in the same administrative system; across the
 * 1 July 2025 reform, that commune translated through the official old-to-new crosswalk. A parcel
 * filed under a new commune that took in no former Phú Yên commune gets an independent Phú Yên pick
 * for a pre-reform permit. Real GSO codes only.
 */
export function siteCommune(permit: number, parcel: number, issuedOn: string): CommuneRef {
  const filed = parcelCommune(parcel);
  const edition = issuedOn < TWO_LEVEL_FROM ? 'THREE_LEVEL' : 'TWO_LEVEL';
  if (filed.edition === edition) return filed;
  const { toNew, toOld } = loadCrosswalk();
  if (edition === 'TWO_LEVEL') {
    const code = toNew.get(filed.code);
    if (code) return { code, edition };
  } else {
    const olds = toOld.get(filed.code) ?? [];
    const code = olds[hash('permit-commune', permit) % Math.max(1, olds.length)];
    if (code) return { code, edition };
  }
  return communeFor('permit-commune', permit, issuedOn);
}
