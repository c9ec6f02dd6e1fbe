import { agencyDirectory, type StateAgency } from '../kit/agency';
import { badUserInput } from '../kit/errors';
import { clip } from '../kit/text';

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

/**
 * `code` trimmed, when the directory knows it; BAD_USER_INPUT naming `argument` otherwise, so that a
 * mistyped code (or a subgraph's name where an agency's code belongs) is said, not answered as if
 * that agency had nothing.
 */
export function knownAgency(code: string, argument: string): string {
  const trimmed = code.trim();
  if (stateAgencies().has(trimmed)) return trimmed;
  const shown = clip(trimmed, 80);
  throw badUserInput(`Không có cơ quan mã "${shown}" trong danh bạ. (Unknown agency "${shown}": give the code of an agency, e.g. cong-an.)`, { argument });
}
