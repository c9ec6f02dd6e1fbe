-- The schema registry (DESIGN.md §8): every version of every subgraph that was published or asked to
-- be, and every supergraph composed from the published ones. Rows are never deleted.

CREATE TABLE subgraph_versions (
  subgraph         text        NOT NULL CHECK (subgraph ~ '^[a-z][a-z0-9-]*$'),
  version          integer     NOT NULL CHECK (version > 0),
  sdl              text        NOT NULL,
  url              text        NOT NULL,
  -- The official who published it (token subject) and their agency; 'seed' for the seeded versions.
  published_by     text        NOT NULL,
  publisher_agency text        NOT NULL,
  published_at     timestamptz NOT NULL DEFAULT now(),
  -- PUBLISHED: the current version (at most one per subgraph); SUPERSEDED: was current;
  -- PENDING_APPROVAL: a loosening waiting for governance; REJECTED: governance refused it.
  status           text        NOT NULL CHECK (status IN ('PUBLISHED', 'PENDING_APPROVAL', 'REJECTED', 'SUPERSEDED')),
  -- The check result that decided the publish (without the composed supergraph); null for a seed.
  check_result     jsonb,
  decided_by       text,
  decided_at       timestamptz,
  decision_reason  text,
  PRIMARY KEY (subgraph, version),
  CHECK (status <> 'REJECTED' OR (decided_by IS NOT NULL AND length(btrim(decision_reason)) > 0))
);

CREATE UNIQUE INDEX subgraph_versions_one_published ON subgraph_versions (subgraph) WHERE status = 'PUBLISHED';

CREATE TABLE supergraph_versions (
  version          integer     PRIMARY KEY CHECK (version > 0),
  sdl              text        NOT NULL,
  sha256           text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_at       timestamptz NOT NULL DEFAULT now(),
  -- The subgraph version whose publish composed it; both null for the seeded supergraph.
  subgraph         text,
  subgraph_version integer,
  FOREIGN KEY (subgraph, subgraph_version) REFERENCES subgraph_versions (subgraph, version),
  CHECK ((subgraph IS NULL) = (subgraph_version IS NULL))
);
