-- Where each chain goes on after retention dropped its oldest records. verify used to trust the
-- first record kept of every chain as its start, whatever its previous-hash: so deleting a chain's
-- oldest records, or writing a record that starts a chain of its own (previous-hash of zeros), did
-- not show. Now a chain's first record kept must be its very first (previous-hash of zeros) or follow
-- the record noted here, which maintenance (log-admin.ts, maintainLog) sets, in the transaction that
-- drops the partitions, to the chain's newest record among those dropped. A chain head that names a
-- record no longer in the log is excused only when it is that record (the whole chain was dropped).
-- Owner only: the application role is given nothing on this table.
CREATE TABLE disclosure.chain_anchor (
  chain smallint PRIMARY KEY CHECK (chain BETWEEN 0 AND 7),
  -- The chain's newest record that retention dropped (null when noted by this migration, below).
  seq   bigint,
  hash  text NOT NULL
);

-- Logs that retention already cut: each chain whose first record kept follows another is anchored
-- on it as found now, and each chain whose records are all gone, on its head.
INSERT INTO disclosure.chain_anchor (chain, seq, hash)
SELECT first.chain, NULL, first.prev_hash
  FROM (SELECT DISTINCT ON (l.chain) l.chain, l.prev_hash FROM disclosure.log l ORDER BY l.chain, l.seq) first
 WHERE first.prev_hash <> repeat('0', 64);
INSERT INTO disclosure.chain_anchor (chain, seq, hash)
SELECT h.chain, h.seq, h.hash
  FROM disclosure.chain_head h
 WHERE h.seq IS NOT NULL AND NOT EXISTS (SELECT 1 FROM disclosure.log l WHERE l.chain = h.chain)
ON CONFLICT (chain) DO NOTHING;
