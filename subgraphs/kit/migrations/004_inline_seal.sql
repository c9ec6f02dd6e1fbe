-- The chaining trigger computes each record's seal inline, with the very expression of
-- disclosure.seal (which `verify` still uses). Called from PL/pgSQL, the SQL function ran through the
-- SQL-function executor for every record written, and was about a third of the trigger's cost.
CREATE OR REPLACE FUNCTION disclosure.chain() RETURNS trigger
  LANGUAGE plpgsql
  SET timezone = 'UTC'
  AS $$
DECLARE
  previous text;
BEGIN
  PERFORM pg_advisory_xact_lock(4701202016);
  NEW.seq := nextval('disclosure.log_seq');
  SELECT l.hash INTO previous FROM disclosure.log l ORDER BY l.seq DESC LIMIT 1;
  NEW.prev_hash := coalesce(previous, repeat('0', 64));
  NEW.hash := encode(sha256(convert_to(NEW.prev_hash || (to_jsonb(NEW) - 'hash' - 'prev_hash')::text, 'UTF8')), 'hex');
  RETURN NEW;
END
$$;
