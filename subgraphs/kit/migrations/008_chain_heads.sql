-- Each chain's newest record is kept in a row of its own, so that sealing a record reads one row
-- instead of looking for the head in the log. The log is partitioned by month, and migration 006's
-- head lookup read the (chain, seq) index of every partition, and locked each: with the default
-- retention of 12 months a provider keeps 16. Measured by bench/log-heads.ts (12 past months of
-- 20,000 records): the lookup took 131 µs with 16 partitions against 9 µs with 4, the row 3-4 µs;
-- one writer committed 1.25× the records per second with the row at 16 partitions, 1.05× at 4.
--
-- The row is written by the chaining trigger only. The trigger now runs as the log's owner (SECURITY
-- DEFINER), so the application role, which may only INSERT and SELECT the log, is given nothing on
-- this table.
--
-- The head also shows when a chain's newest records were removed: the next record is sealed on the
-- hash of the removed one, so `verify` reports the break there (before, it chained on to the record
-- that was left, and the removal showed nowhere), and until then `verify` finds the head missing.
CREATE TABLE disclosure.chain_head (
  chain       smallint PRIMARY KEY CHECK (chain BETWEEN 0 AND 7),
  -- The chain's newest record and when it was recorded: null while the chain has none.
  seq         bigint,
  recorded_at timestamptz,
  -- Its hash (the chain's start, 64 zeros, while it has none), and the hash it was sealed on.
  hash        text NOT NULL,
  prev_hash   text
) WITH (fillfactor = 50); -- room on the page for the updates, which then need no new index entry

-- Writers still running the old trigger hold their chain's lock until they commit: taking all eight
-- here waits for them, so that no record commits between reading the heads and replacing the trigger.
SELECT pg_advisory_xact_lock(470120, c.chain) FROM generate_series(0, 7) AS c(chain);

INSERT INTO disclosure.chain_head (chain, seq, recorded_at, hash, prev_hash)
SELECT c.chain, head.seq, head.recorded_at, coalesce(head.hash, repeat('0', 64)), head.prev_hash
  FROM generate_series(0, 7) AS c(chain)
  LEFT JOIN LATERAL (
    SELECT l.seq, l.recorded_at, l.hash, l.prev_hash FROM disclosure.log l WHERE l.chain = c.chain ORDER BY l.chain DESC, l.seq DESC LIMIT 1
  ) head ON true;

/* As migration 006's, but the head is the chain's row in disclosure.chain_head: one statement
   moves it to the new record and returns the hash the record is sealed on. The seal itself is
   unchanged, so every record written before still verifies. */
CREATE OR REPLACE FUNCTION disclosure.chain() RETURNS trigger
  LANGUAGE plpgsql
  SECURITY DEFINER
  SET timezone = 'UTC'
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  preferred smallint := pg_backend_pid() % 8;
  taken boolean := false;
  content text;
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
  content := (to_jsonb(NEW) - 'hash' - 'prev_hash' - 'chain')::text;
  UPDATE disclosure.chain_head h
     SET seq = NEW.seq, recorded_at = NEW.recorded_at, prev_hash = h.hash, hash = encode(sha256(convert_to(h.hash || content, 'UTF8')), 'hex')
   WHERE h.chain = NEW.chain
  RETURNING h.prev_hash, h.hash INTO STRICT NEW.prev_hash, NEW.hash;
  RETURN NEW;
END
$$;
