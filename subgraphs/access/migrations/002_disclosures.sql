-- The governing department's copy of every provider's disclosure records, delivered through each
-- provider's transactional outbox: it feeds the usage figures and the citizen's "who saw my data".
-- A record is identified by its provider and its seq in that provider's log, so a redelivery is a no-op.
CREATE TABLE disclosures (
  provider_agency  text        NOT NULL,
  log_seq          bigint      NOT NULL,
  request_id       text        NOT NULL,
  recorded_at      timestamptz NOT NULL,
  caller_kind      text        NOT NULL CHECK (caller_kind IN ('official', 'citizen', 'anonymous')),
  consumer_agency  text,
  official         text,
  citizen_id       text,
  purpose          text,
  operation_name   text,
  fields           jsonb       NOT NULL,
  subject_ids      text[]      NOT NULL,
  subject_fields   jsonb       NOT NULL,
  used             text[]      NOT NULL,
  refused          jsonb       NOT NULL,
  received_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_agency, log_seq)
);
CREATE INDEX disclosures_by_subject ON disclosures USING gin (subject_ids);
CREATE INDEX disclosures_by_time ON disclosures (recorded_at);
