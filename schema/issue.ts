import { getLocation, Kind, type ASTNode } from 'graphql';

/**
 * A place in SDL. `source` names the text the line and column count in: the subgraph's name for its
 * own schema.graphql, or `schema/directives.graphql` for the shared definitions.
 */
export interface IssueLocation {
  readonly source: string;
  readonly line: number;
  readonly column: number;
}

/**
 * One finding of a schema check. `code` is stable: a lint rule id (`LT001-description`), an Apollo
 * composition code (`FIELD_TYPE_MISMATCH`), a graphql-inspector change type (`FIELD_REMOVED`), or one
 * of the check's own (`INVALID_SDL`, `CATEGORY_LOOSENED`, …). `message` says what is wrong and how to
 * fix it. `subgraph` is the subgraph the finding is attributed to, when there is one.
 */
export interface CheckIssue {
  readonly code: string;
  readonly message: string;
  readonly subgraph?: string;
  /** A schema coordinate: `Type`, `Type.field`, `Type.field(argument:)` or `Enum.VALUE`. */
  readonly coordinate?: string;
  readonly locations: readonly IssueLocation[];
  /** For a breaking change: the consumers (of the grants or usage the check was given) that it breaks, sorted. */
  readonly affectedConsumers?: readonly string[];
}

/**
 * Where a parsed node is: at its name when it has one (a described definition starts at its
 * description), else where it starts; nothing for a node made in code (it has no `loc`).
 */
export function locationOf(node: ASTNode): IssueLocation[] {
  const at = 'name' in node && node.name?.kind === Kind.NAME && node.name.loc ? node.name : node;
  if (!at.loc) return [];
  const { line, column } = getLocation(at.loc.source, at.loc.start);
  return [{ source: at.loc.source.name, line, column }];
}
