import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import type { Logger } from 'pino';
import type { FieldPolicy } from '../../schema/sharing';
import { supergraphFields } from '../../schema/catalogue';
import { pageNodes } from '../../schema/pages';
import { buildASTSchema, getNamedType, getNullableType, isInterfaceType, isListType, isObjectType, parse } from 'graphql';
import { readAgency } from '../kit/agency';
import type { SupergraphFeed } from '../kit/server';

/** The committed supergraph the gateway serves: the catalogue of every field a request may name. */
export const SUPERGRAPH_FILE = join(__dirname, '..', '..', 'schema', 'supergraph.graphql');

/** One field of the supergraph: its sharing policy and the agencies whose subgraphs resolve it. */
export interface CatalogueField extends FieldPolicy {
  /** Agency codes (agency.json `agencyCode`) of the subgraphs that resolve this field. */
  readonly owners: readonly string[];
  /** True for the ledger's own fields (resolved by LEDGER_SUBGRAPH alone), which no grant or consent opens. */
  readonly ledger: boolean;
  /** True when the field returns a list or a page of records (a dataset, at the root), not one record. */
  readonly listing: boolean;
}

/**
 * The access ledger's subgraph. Its own fields (a citizen's consents and disclosures, the requests
 * and grants) are read under the ledger's rules: a citizen their own, each agency what it is a party
 * to. No grant or consent changes that, so none may name them.
 */
export const LEDGER_SUBGRAPH = 'access';

/** What the ledger knows about the fields of the composed graph. */
export interface FieldCatalogue {
  /** The field at a "Type.field" coordinate, or undefined when the supergraph has none. */
  field(coordinate: string): CatalogueField | undefined;
  /** Every coordinate one agency resolves, sorted. */
  fieldsOwnedBy(agencyCode: string): string[];
}

function agencyOfSubgraph(subgraph: string): string | undefined {
  try {
    return readAgency(subgraph).agencyCode;
  } catch {
    return undefined; // composed in, but not an agency folder of this repository: nobody here owns it
  }
}

/**
 * Builds the catalogue from a supergraph's SDL: every field `supergraphFields` reads (category, and
 * the subgraphs that resolve it), each subgraph mapped to its agency by agency.json.
 */
export function buildFieldCatalogue(supergraphSdl: string, agencyOf: (subgraph: string) => string | undefined = agencyOfSubgraph): FieldCatalogue {
  const fields = new Map<string, CatalogueField>();
  const schema = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
  const listing = (typeName: string, fieldName: string): boolean => {
    const type = schema.getType(typeName);
    const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[fieldName] : undefined;
    return field !== undefined && (isListType(getNullableType(field.type)) || pageNodes(getNamedType(field.type)) !== undefined);
  };
  for (const field of supergraphFields(supergraphSdl)) {
    const owners = new Set(field.subgraphs.map(agencyOf).filter((code): code is string => code !== undefined));
    fields.set(field.coordinate, {
      coordinate: field.coordinate,
      category: field.category,
      personal: field.personal,
      owners: [...owners].sort(),
      // Resolved by the ledger alone: a field it shares with other subgraphs (PageInfo's) is not its own.
      ledger: field.subgraphs.length > 0 && field.subgraphs.every((subgraph) => subgraph === LEDGER_SUBGRAPH),
      listing: listing(field.typeName, field.fieldName),
    });
  }
  return {
    field: (coordinate) => fields.get(coordinate),
    fieldsOwnedBy: (agencyCode) => [...fields.values()].filter((f) => f.owners.includes(agencyCode)).map((f) => f.coordinate).sort(),
  };
}

let committed: FieldCatalogue | undefined;

/** The catalogue of the committed supergraph, read once per process. */
export function committedCatalogue(): FieldCatalogue {
  committed ??= buildFieldCatalogue(readFileSync(SUPERGRAPH_FILE, 'utf8'));
  return committed;
}

/**
 * The ledger's catalogue, kept to the supergraph a feed serves (the schema registry's current one),
 * so that a newly published subgraph's fields can be requested at once. It starts as `initial` (the
 * committed supergraph's). A read replaces the catalogue in use only with a supergraph that builds:
 * a feed that fails, has no supergraph yet, or gives one that does not build leaves it as it is.
 */
export class FollowedCatalogue {
  private followed: { readonly id: string; readonly catalogue: FieldCatalogue } | null = null;
  private readonly refused = new Set<string>();

  constructor(private readonly initial: () => FieldCatalogue = committedCatalogue) {}

  /** The catalogue in use now. */
  readonly current = (): FieldCatalogue => this.followed?.catalogue ?? this.initial();

  /** The id of the followed supergraph in use; null while the initial catalogue is. */
  version(): string | null {
    return this.followed?.id ?? null;
  }

  /**
   * Reads `feed` once and takes its supergraph when it is new and builds. Resolves true when the
   * catalogue changed; rejects with what the feed throws, or with why the supergraph does not build.
   */
  async refresh(feed: SupergraphFeed): Promise<boolean> {
    const next = await feed();
    if (next === null || next.id === this.followed?.id || this.refused.has(next.id)) return false;
    let catalogue: FieldCatalogue;
    try {
      Supergraph.build(next.supergraphSdl, { validateSupergraph: true });
      catalogue = buildFieldCatalogue(next.supergraphSdl);
    } catch (error) {
      this.refused.add(next.id);
      throw new Error(`supergraph ${next.id} does not build: the catalogue in use is kept`, { cause: error });
    }
    this.followed = { id: next.id, catalogue };
    return true;
  }

  /**
   * Refreshes now, then every `intervalMs`, until stop(), which returns to the initial catalogue.
   * A failed read is logged and changes nothing.
   */
  async follow(feed: SupergraphFeed, logger: Logger, intervalMs = 1000): Promise<{ stop(): void }> {
    let busy = false;
    const look = async () => {
      if (busy) return;
      busy = true;
      try {
        if (await this.refresh(feed)) logger.info({ version: this.followed?.id }, 'field catalogue follows a new supergraph');
      } catch (error) {
        logger.warn({ err: error }, 'supergraph feed unavailable or refused: the field catalogue in use is kept');
      } finally {
        busy = false;
      }
    };
    await look();
    const timer = setInterval(() => void look(), intervalMs);
    timer.unref();
    return {
      stop: () => {
        clearInterval(timer);
        this.followed = null;
      },
    };
  }
}
