-- A request's transaction (its reads and its disclosure record) commits without waiting for the disk,
-- so that the chain's lock, held until commit, is not held through a disk flush: with it, a provider
-- committed one record per flush. Before the answer leaves, the provider makes that commit durable by
-- updating this row with a commit that does wait: its flush carries every commit before it. One such
-- update serves every answer waiting at that moment (kit/disclosure.ts, DurableCommits).
CREATE TABLE disclosure.durability (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  flushes   bigint  NOT NULL DEFAULT 0
);
INSERT INTO disclosure.durability DEFAULT VALUES;
