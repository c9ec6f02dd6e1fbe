import type pg from 'pg';
import { z } from 'zod';
import { statement, type Database } from '../../subgraphs/kit/db';

/** The status of one subgraph version in the registry (see migrations/001_registry.sql). */
export const VERSION_STATUSES = ['PUBLISHED', 'PENDING_APPROVAL', 'REJECTED', 'SUPERSEDED'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/** Arbitrary but fixed: publishes, approvals and the seed are serialised on this advisory lock. */
const REGISTRY_LOCK = 4_701_202_606;

const versionRow = z.object({
  subgraph: z.string(),
  version: z.number().int(),
  sdl: z.string(),
  url: z.string(),
  published_by: z.string(),
  publisher_agency: z.string(),
  published_at: z.date(),
  status: z.enum(VERSION_STATUSES),
  check_result: z.unknown().nullable(),
  decided_by: z.string().nullable(),
  decided_at: z.date().nullable(),
  decision_reason: z.string().nullable(),
});
/** One stored subgraph version, as read. */
export type VersionRow = z.infer<typeof versionRow>;

const supergraphRow = z.object({
  version: z.number().int(),
  sdl: z.string(),
  sha256: z.string(),
  created_at: z.date(),
  subgraph: z.string().nullable(),
  subgraph_version: z.number().int().nullable(),
});
/** One stored supergraph, as read. */
export type SupergraphRow = z.infer<typeof supergraphRow>;

const VERSION_COLUMNS =
  'subgraph, version, sdl, url, published_by, publisher_agency, published_at, status, check_result, decided_by, decided_at, decision_reason';

const statements = {
  lock: statement('registryLock', 'SELECT pg_advisory_xact_lock($1::bigint) IS NULL AS locked', z.object({ locked: z.boolean() })),
  count: statement('registryVersionCount', 'SELECT count(*)::int AS count FROM subgraph_versions', z.object({ count: z.number().int() })),
  published: statement(
    'registryPublishedVersions',
    `SELECT ${VERSION_COLUMNS} FROM subgraph_versions WHERE status = 'PUBLISHED' ORDER BY subgraph`,
    versionRow,
  ),
  history: statement(
    'registryHistory',
    `SELECT ${VERSION_COLUMNS} FROM subgraph_versions WHERE subgraph = $1 ORDER BY version DESC`,
    versionRow,
  ),
  withStatus: statement(
    'registryVersionsWithStatus',
    `SELECT ${VERSION_COLUMNS} FROM subgraph_versions WHERE status = $1 ORDER BY published_at, subgraph, version`,
    versionRow,
  ),
  version: statement('registryVersion', `SELECT ${VERSION_COLUMNS} FROM subgraph_versions WHERE subgraph = $1 AND version = $2`, versionRow),
  nextVersion: statement(
    'registryNextVersion',
    'SELECT COALESCE(max(version), 0)::int + 1 AS next FROM subgraph_versions WHERE subgraph = $1',
    z.object({ next: z.number().int() }),
  ),
  insertVersion: statement(
    'registryInsertVersion',
    `INSERT INTO subgraph_versions (subgraph, version, sdl, url, published_by, publisher_agency, status, check_result)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING ${VERSION_COLUMNS}`,
    versionRow,
  ),
  supersede: statement(
    'registrySupersede',
    `UPDATE subgraph_versions SET status = 'SUPERSEDED' WHERE subgraph = $1 AND status = 'PUBLISHED' RETURNING version`,
    z.object({ version: z.number().int() }),
  ),
  decide: statement(
    'registryDecide',
    `UPDATE subgraph_versions SET status = $3, decided_by = $4, decided_at = now(), decision_reason = $5, check_result = COALESCE($6::jsonb, check_result)
     WHERE subgraph = $1 AND version = $2 AND status = 'PENDING_APPROVAL' RETURNING ${VERSION_COLUMNS}`,
    versionRow,
  ),
  currentSupergraph: statement(
    'registryCurrentSupergraph',
    'SELECT version, sdl, sha256, created_at, subgraph, subgraph_version FROM supergraph_versions ORDER BY version DESC LIMIT 1',
    supergraphRow,
  ),
  insertSupergraph: statement(
    'registryInsertSupergraph',
    `INSERT INTO supergraph_versions (version, sdl, sha256, subgraph, subgraph_version)
     VALUES ((SELECT COALESCE(max(version), 0) + 1 FROM supergraph_versions), $1, $2, $3, $4)
     RETURNING version, sdl, sha256, created_at, subgraph, subgraph_version`,
    supergraphRow,
  ),
};

/** A new subgraph version to store. */
export interface NewVersion {
  readonly subgraph: string;
  readonly sdl: string;
  readonly url: string;
  readonly publishedBy: string;
  readonly publisherAgency: string;
  readonly status: 'PUBLISHED' | 'PENDING_APPROVAL';
  readonly checkResult: unknown;
}

/**
 * The registry's reads and writes, each a named parameterised statement with its rows parsed.
 * Writes take the transaction's client (`inTransaction`), so that a publish stores its version and
 * its supergraph together or not at all.
 */
export class RegistryStore {
  constructor(private readonly db: Database) {}

  /** Runs `work` in one transaction holding the registry lock: one publish, approval or seed at a time. */
  async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.db.transaction(async (client) => {
      await this.db.many(statements.lock, [REGISTRY_LOCK], client);
      return work(client);
    });
  }

  async versionCount(client?: pg.PoolClient): Promise<number> {
    return (await this.db.maybeOne(statements.count, [], client))?.count ?? 0;
  }

  /** The current (PUBLISHED) version of every subgraph, by name. */
  async publishedVersions(client?: pg.PoolClient): Promise<VersionRow[]> {
    return this.db.many(statements.published, [], client);
  }

  /** Every version of `subgraph`, newest first. */
  async history(subgraph: string, client?: pg.PoolClient): Promise<VersionRow[]> {
    return this.db.many(statements.history, [subgraph], client);
  }

  /** Every version waiting for governance, of every subgraph, oldest first. */
  async pendingVersions(): Promise<VersionRow[]> {
    return this.db.many(statements.withStatus, ['PENDING_APPROVAL']);
  }

  async version(subgraph: string, version: number, client?: pg.PoolClient): Promise<VersionRow | null> {
    return this.db.maybeOne(statements.version, [subgraph, version], client);
  }

  async currentSupergraph(client?: pg.PoolClient): Promise<SupergraphRow | null> {
    return this.db.maybeOne(statements.currentSupergraph, [], client);
  }

  /** Stores `entry` as the subgraph's next version; a PUBLISHED one supersedes the current one first. */
  async insertVersion(client: pg.PoolClient, entry: NewVersion): Promise<VersionRow> {
    const next = (await this.db.maybeOne(statements.nextVersion, [entry.subgraph], client))?.next ?? 1;
    if (entry.status === 'PUBLISHED') await this.db.many(statements.supersede, [entry.subgraph], client);
    const row = await this.db.maybeOne(
      statements.insertVersion,
      [entry.subgraph, next, entry.sdl, entry.url, entry.publishedBy, entry.publisherAgency, entry.status, JSON.stringify(entry.checkResult ?? null)],
      client,
    );
    if (!row) throw new Error('insert returned no row');
    return row;
  }

  /**
   * Decides a PENDING_APPROVAL version: PUBLISHED (superseding the current one) or REJECTED with a
   * reason. Returns null when the version is not pending.
   */
  async decide(
    client: pg.PoolClient,
    decision: { subgraph: string; version: number; status: 'PUBLISHED' | 'REJECTED'; by: string; reason: string | null; checkResult?: unknown },
  ): Promise<VersionRow | null> {
    if (decision.status === 'PUBLISHED') await this.db.many(statements.supersede, [decision.subgraph], client);
    const checkResult = decision.checkResult === undefined ? null : JSON.stringify(decision.checkResult);
    return this.db.maybeOne(
      statements.decide,
      [decision.subgraph, decision.version, decision.status, decision.by, decision.reason, checkResult],
      client,
    );
  }

  /** Stores a newly composed supergraph as the next, current, version. */
  async insertSupergraph(
    client: pg.PoolClient,
    supergraph: { sdl: string; sha256: string; cause: { subgraph: string; version: number } | null },
  ): Promise<SupergraphRow> {
    const row = await this.db.maybeOne(
      statements.insertSupergraph,
      [supergraph.sdl, supergraph.sha256, supergraph.cause?.subgraph ?? null, supergraph.cause?.version ?? null],
      client,
    );
    if (!row) throw new Error('insert returned no row');
    return row;
  }
}
