-- The provider's disclosure log (Quy chế Phú Yên Art. 16.1.a; DESIGN.md §7): one record per request
-- answered, written in the same transaction as the read. Kept in its own schema so that the
-- application role can be given INSERT and SELECT on the log and nothing on its partitions.
CREATE SCHEMA disclosure;

CREATE SEQUENCE disclosure.log_seq;

CREATE TABLE disclosure.log (
  -- Assigned by the chaining trigger under its lock, so that seq order is chain order.
  seq            bigint      NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  request_id     text        NOT NULL,
  caller_kind    text        NOT NULL CHECK (caller_kind IN ('official', 'citizen', 'anonymous')),
  consumer_agency text,
  official       text,
  roles          text[]      NOT NULL DEFAULT '{}',
  -- A citizen reading their own records.
  citizen_id     text,
  purpose        text,
  operation_name text,
  operation_hash text        NOT NULL,
  -- [{"field": "Citizen.fullName", "category": "DEFAULT"}, …]
  fields         jsonb       NOT NULL,
  -- Record keys disclosed, as "Type:key" (e.g. "Citizen:054204000000", "Enterprise:0100109106").
  record_keys    text[]      NOT NULL,
  -- Data subjects (personal ids) whose data was disclosed, and for each the fields: {"0542…": ["Citizen.fullName"]}.
  subject_ids    text[]      NOT NULL,
  subject_fields jsonb       NOT NULL,
  -- The grants and consents that allowed special-request fields ("grant:<id>", "consent:<id>").
  used           text[]      NOT NULL,
  -- [{"field": "Citizen.ethnicGroup", "reason": "NO_GRANT"}, …]
  refused        jsonb       NOT NULL,
  prev_hash      text        NOT NULL,
  hash           text        NOT NULL,
  PRIMARY KEY (recorded_at, seq)
) PARTITION BY RANGE (recorded_at);

-- Rows of a month with no partition yet land here rather than being lost; maintenance keeps it empty.
CREATE TABLE disclosure.log_default PARTITION OF disclosure.log DEFAULT;

CREATE INDEX log_by_seq ON disclosure.log (seq);
CREATE INDEX log_by_consumer ON disclosure.log (consumer_agency, recorded_at);
CREATE INDEX log_by_request ON disclosure.log (request_id);
CREATE INDEX log_by_subject ON disclosure.log USING gin (subject_ids);
CREATE INDEX log_by_field ON disclosure.log USING gin (fields jsonb_path_ops);

/* The hash of a record: SHA-256 over the previous record's hash and the record's own columns
   (every column but the two hashes, as canonical jsonb text). */
CREATE FUNCTION disclosure.seal(prev_hash text, record jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT
  AS $$ SELECT encode(sha256(convert_to(prev_hash || record::text, 'UTF8')), 'hex') $$;

/* Chains each new record to the one before it. The advisory lock serialises writers until commit,
   so the record with the next seq is always chained to the latest committed one. UTC makes the
   timestamp's text, and so the hash, independent of the session's time zone. */
CREATE FUNCTION disclosure.chain() RETURNS trigger
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
  NEW.hash := disclosure.seal(NEW.prev_hash, to_jsonb(NEW) - 'hash' - 'prev_hash');
  RETURN NEW;
END
$$;

CREATE TRIGGER chain BEFORE INSERT ON disclosure.log FOR EACH ROW EXECUTE FUNCTION disclosure.chain();

-- The transactional outbox: which records the governing department's ledger has not yet received
-- (usage figures, and the citizen's "who saw my data"). A row is written in the same transaction as
-- its record; the relay reads the record itself and deletes the row once the ledger acknowledged it.
CREATE TABLE disclosure.outbox (
  id           bigserial PRIMARY KEY,
  log_seq      bigint      NOT NULL,
  recorded_at  timestamptz NOT NULL
);
