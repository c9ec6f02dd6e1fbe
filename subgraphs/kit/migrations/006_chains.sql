-- The log becomes eight hash chains instead of one. Each record now commits with the request's reads
-- (migration 005), so a chain's lock is held from the record's insert to the end of its commit; with
-- one chain, every request of a provider queued on that lock, and a holder descheduled on a busy
-- machine stalled them all (about 1,000 records/s at four writers against 3,300 with eight chains).
-- A writer takes the first free chain, starting from one its connection prefers, and waits for that
-- one only when all eight are taken. Each chain is whole on its own: its records' seq order is its
-- commit order (its lock is held until commit), and each record's prev_hash is the hash of the
-- record before it in its chain. Records written before this migration are chain 0.
ALTER TABLE disclosure.log ADD COLUMN chain smallint NOT NULL DEFAULT 0;
CREATE INDEX log_by_chain ON disclosure.log (chain, seq);

/* The seal leaves out the chain's number, so that the records sealed before it existed still match;
   a record moved to another chain breaks the links of both. The chain's head is found through the
   (chain, seq) index only: asked for `chain = $1 ORDER BY seq DESC`, the planner took the index on
   seq and walked back through the other chains' records until it met one of its own (8 ms and 1,754
   rows for a chain quiet a few seconds, under the chain's lock, in the benchmark's mesh). The row
   comparison and the order on (chain, seq) can only be served by the (chain, seq) index, which gives
   the last record below the next chain's first: the head, if it is of this chain (else the chain is
   new). */
CREATE OR REPLACE FUNCTION disclosure.chain() RETURNS trigger
  LANGUAGE plpgsql
  SET timezone = 'UTC'
  AS $$
DECLARE
  preferred smallint := pg_backend_pid() % 8;
  taken boolean := false;
  head_chain smallint;
  previous text;
BEGIN
  FOR step IN 0..7 LOOP
    NEW.chain := (preferred + step) % 8;
    taken := pg_try_advisory_xact_lock(470120, NEW.chain);
    EXIT WHEN taken;
  END LOOP;
  IF NOT taken THEN
    NEW.chain := preferred;
    PERFORM pg_advisory_xact_lock(470120, NEW.chain);
  END IF;
  NEW.seq := nextval('disclosure.log_seq');
  SELECT l.chain, l.hash INTO head_chain, previous
    FROM disclosure.log l
   WHERE (l.chain, l.seq) < (NEW.chain + 1, 0)
   ORDER BY l.chain DESC, l.seq DESC
   LIMIT 1;
  IF head_chain IS DISTINCT FROM NEW.chain THEN
    previous := NULL;
  END IF;
  NEW.prev_hash := coalesce(previous, repeat('0', 64));
  NEW.hash := encode(sha256(convert_to(NEW.prev_hash || (to_jsonb(NEW) - 'hash' - 'prev_hash' - 'chain')::text, 'UTF8')), 'hex');
  RETURN NEW;
END
$$;

-- The relay's cursor, one per chain: seq order is commit order within a chain only, so a single
-- cursor could pass a record of one chain that commits after a later seq of another.
CREATE TABLE disclosure.relay_cursor (
  chain       smallint PRIMARY KEY,
  -- The highest seq of this chain the ledger has acknowledged.
  through_seq bigint   NOT NULL
);
INSERT INTO disclosure.relay_cursor (chain, through_seq)
SELECT chain, (SELECT through_seq FROM disclosure.relayed) FROM generate_series(0, 7) AS chain;
DROP TABLE disclosure.relayed;
