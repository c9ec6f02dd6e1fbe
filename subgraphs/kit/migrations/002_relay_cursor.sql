-- The outbox becomes a cursor over the log itself. Every record is its own outbox entry (written in
-- its own transaction by construction), and the relay remembers the last seq the ledger acknowledged.
-- Seq order is commit order (the chaining trigger holds its lock until commit), so a record with a
-- seq at or below the cursor has been delivered, and one above it has not. Reading the next records
-- is an index range scan on seq, whatever the size of the log; the outbox table it replaces had a row
-- inserted and deleted per record, and its join back to the log came to scan the whole log as it grew.
CREATE TABLE disclosure.relayed (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  -- The highest seq the ledger has acknowledged (every record up to it was delivered).
  through_seq bigint  NOT NULL
);

-- Records still waiting in the outbox are delivered again from the cursor; none is skipped.
INSERT INTO disclosure.relayed (through_seq)
SELECT coalesce((SELECT min(log_seq) - 1 FROM disclosure.outbox), (SELECT max(seq) FROM disclosure.log), 0);

DROP TABLE disclosure.outbox;
