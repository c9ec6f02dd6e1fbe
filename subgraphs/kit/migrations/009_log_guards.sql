-- Guards found by an audit of the log as the application role sees it.
--
-- 1. A record's time is its request's: the application can no longer choose it. Before, an INSERT
--    that named recorded_at kept it, so the application could place a record in a month retention
--    drops next (under the legal floor), or in the default partition (which then stops maintenance
--    from creating that month's partition). The log's owner may still name a time (tests, imports).
-- 2. Within a chain, a record is never of an earlier month than the record before it. recorded_at
--    is the time the request's transaction began, and seq is taken when its record is inserted, so
--    a request that began just before a month ended could follow, in its chain, one that began just
--    after: dropping the earlier month would then remove a record from the middle of the chain, and
--    verify would report a break that nobody made. Such a record is refused as a serialization
--    failure (40001), which the writer retries in a new transaction (RequestTransaction.commit).
-- 3. A chain's number is one of the eight.
-- 4. The relay no longer updates its cursors itself: disclosure.relay_delivered moves them forward
--    only, and never past the chain's newest record. Before, the application role could set a
--    cursor anywhere, and every record behind it would never reach the ledger.

ALTER TABLE disclosure.log ADD CONSTRAINT log_chain_range CHECK (chain BETWEEN 0 AND 7);

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
  IF NEW.recorded_at IS DISTINCT FROM now() THEN
    IF NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'disclosure.log'::regclass), 'USAGE') THEN
      RAISE EXCEPTION 'a disclosure record''s time is set by the log, not by its writer'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
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
     AND (h.recorded_at IS NULL OR h.recorded_at < date_trunc('month', NEW.recorded_at) + interval '1 month')
  RETURNING h.prev_hash, h.hash INTO NEW.prev_hash, NEW.hash;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the newest record of disclosure chain % is of a later month than this one; write it again', NEW.chain
      USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN NEW;
END
$$;

/* Moves each chain's relay cursor forward to what the ledger acknowledged: never back (two relays
   may race), never past the chain's newest record. Returns the cursors moved. */
CREATE FUNCTION disclosure.relay_delivered(chains smallint[], seqs bigint[]) RETURNS TABLE (chain smallint, through_seq bigint)
  LANGUAGE sql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  UPDATE disclosure.relay_cursor c
     SET through_seq = greatest(c.through_seq, least(d.seq, coalesce(h.seq, c.through_seq)))
    FROM (SELECT u.chain, max(u.seq) AS seq FROM unnest(chains, seqs) AS u(chain, seq) GROUP BY u.chain) d
    JOIN disclosure.chain_head h ON h.chain = d.chain
   WHERE c.chain = d.chain
  RETURNING c.chain, c.through_seq
$$;
REVOKE ALL ON FUNCTION disclosure.relay_delivered(smallint[], bigint[]) FROM PUBLIC;
