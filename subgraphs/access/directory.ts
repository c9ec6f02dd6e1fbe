import { agencyDirectory, type StateAgency } from '../kit/agency';

/** A state agency named by its code: the mapper type of GraphQL `AccessAgency`. */
export interface AgencyRef {
  readonly code: string;
}

let directory: ReadonlyMap<string, StateAgency> | undefined;

/** The provincial directory (schema/agencies.json), read once per process. */
export function stateAgencies(): ReadonlyMap<string, StateAgency> {
  directory ??= agencyDirectory();
  return directory;
}

/** The agency's name, or its code when the directory does not know it (a record outlives a renamed code). */
export function agencyName(code: string): string {
  return stateAgencies().get(code)?.name ?? code;
}
