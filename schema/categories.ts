import { buildASTSchema, parse, type DocumentNode, type FieldDefinitionNode } from 'graphql';
import { locationOf, type CheckIssue } from './issue';
import { documentFieldPolicies, expandedSubgraphDocument, schemaFieldPolicies, SHARING_CATEGORIES, type SharingCategory } from './sharing';

/**
 * An agency that holds an active grant on, or has been seen using, some fields: from the access
 * ledger's grants or its disclosure usage figures. `fields` are `Type.field` coordinates.
 */
export interface FieldConsumer {
  readonly consumer: string;
  readonly fields: readonly string[];
}

/**
 * The consumers (of `consumers`) that use what `path` names, sorted: the field itself, an argument
 * of it (`Type.field.argument`), or any field of a type (`Type`).
 */
export function consumersOf(path: string, consumers: readonly FieldConsumer[]): string[] {
  const touches = (field: string) => field === path || field.startsWith(`${path}.`) || path.startsWith(`${field}.`);
  return [...new Set(consumers.filter((c) => c.fields.some(touches)).map((c) => c.consumer))].sort();
}

/** A field whose sharing category the proposal changes. */
export interface CategoryChange extends CheckIssue {
  readonly code: 'CATEGORY_LOOSENED' | 'CATEGORY_TIGHTENED';
  readonly coordinate: string;
  readonly from: SharingCategory;
  readonly to: SharingCategory;
  /** For a tightening: the consumers (from the grants or usage passed in) that lose the field, sorted. */
  readonly affectedConsumers: readonly string[];
}

/** What each category change costs, said to the agency reading the report. */
const WHO_LOSES: Record<SharingCategory, string> = {
  OPEN: 'người dùng dữ liệu mở, không định danh (anonymous open-data users)',
  DEFAULT: 'các cơ quan không có quyền khai thác được cấp (agencies without a grant)',
  SPECIAL_REQUEST: '',
};

function rank(category: SharingCategory): number {
  return SHARING_CATEGORIES.indexOf(category);
}

/** The categories of the current graph: the supergraph's, or none when there is no current graph or it cannot be read. */
function supergraphCategories(supergraphSdl: string | undefined): Map<string, SharingCategory> {
  if (!supergraphSdl) return new Map();
  try {
    const schema = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
    return new Map([...schemaFieldPolicies(schema)].map(([coordinate, policy]) => [coordinate, policy.category]));
  } catch {
    return new Map(); // an unreadable current supergraph is reported by the breaking-change step
  }
}

function subgraphCategories(subgraph: string, sdl: string | undefined): Map<string, SharingCategory> {
  if (sdl === undefined) return new Map();
  try {
    return new Map(documentFieldPolicies(expandedSubgraphDocument(subgraph, sdl)).map((p) => [p.coordinate, p.category]));
  } catch {
    return new Map(); // a current version that no longer parses has no categories to compare with
  }
}

function fieldNodes(document: DocumentNode): Map<string, FieldDefinitionNode> {
  const nodes = new Map<string, FieldDefinitionNode>();
  for (const definition of document.definitions) {
    if (!('fields' in definition) || !('name' in definition) || !definition.name) continue;
    for (const field of (definition.fields ?? []) as readonly FieldDefinitionNode[]) {
      nodes.set(`${definition.name.value}.${field.name.value}`, field);
    }
  }
  return nodes;
}

function change(subgraph: string, coordinate: string, from: SharingCategory, to: SharingCategory, node: FieldDefinitionNode | undefined, consumers: readonly FieldConsumer[]): CategoryChange {
  const locations = node ? locationOf(node) : [];
  if (rank(to) < rank(from)) {
    return {
      code: 'CATEGORY_LOOSENED', coordinate, from, to, subgraph, locations, affectedConsumers: [],
      message:
        `${coordinate}: ${from} → ${to} là nới lỏng, cần cơ quan quản lý (Sở KH&CN) phê duyệt trước khi đưa vào đồ thị. ` +
        `(${from} → ${to} loosens access and needs governance approval.)`,
    };
  }
  const affected = consumersOf(coordinate, consumers);
  const losers = [WHO_LOSES[from], ...affected].filter((who) => who !== '');
  return {
    code: 'CATEGORY_TIGHTENED', coordinate, from, to, subgraph, locations, affectedConsumers: affected,
    message:
      `${coordinate}: ${from} → ${to} là thắt chặt, làm hỏng truy vấn của bên đang dùng trường: ${losers.join('; ')}; ` +
      `cần cơ quan quản lý (Sở KH&CN) phê duyệt. (${from} → ${to} tightens access and breaks the consumers of the field; it needs governance approval.)`,
  };
}

/**
 * The category changes a proposal makes, field by field. A field's category before is the one the
 * same subgraph's current version gives it or, for a field the subgraph did not have, the one the
 * current supergraph gives it (so a subgraph cannot loosen a field another subgraph already
 * serves). Either way needs governance approval: loosening (any step toward OPEN) widens who sees
 * the field; tightening breaks the field's consumers, named when `consumers` lists them. New fields
 * are not changes. Sorted by coordinate.
 */
export function categoryChanges(input: {
  readonly subgraph: string;
  /** The proposal, expanded (as `expandedSubgraphDocument` makes it). */
  readonly proposed: DocumentNode;
  readonly currentSdl: string | undefined;
  readonly currentSupergraphSdl: string | undefined;
  readonly consumers: readonly FieldConsumer[];
}): CategoryChange[] {
  const before = subgraphCategories(input.subgraph, input.currentSdl);
  const graph = supergraphCategories(input.currentSupergraphSdl);
  const nodes = fieldNodes(input.proposed);
  const changes: CategoryChange[] = [];
  for (const { coordinate, category } of documentFieldPolicies(input.proposed)) {
    const previous = before.get(coordinate) ?? graph.get(coordinate);
    if (!previous || previous === category) continue;
    changes.push(change(input.subgraph, coordinate, previous, category, nodes.get(coordinate), input.consumers));
  }
  return changes.sort((a, b) => a.coordinate.localeCompare(b.coordinate));
}
