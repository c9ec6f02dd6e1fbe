-- The access ledger of the provincial sharing-service management system (Quy chế Phú Yên, Điều 9).
-- Dates are Vietnamese calendar days; the current day is always passed in by the caller (its clock),
-- so that the state of a grant is computed when it is read and is never stale.

CREATE TABLE access_requests (
  id               uuid PRIMARY KEY,
  consumer_agency  text NOT NULL,
  requested_by     text NOT NULL,
  provider_agency  text NOT NULL,
  fields           text[] NOT NULL CHECK (cardinality(fields) > 0),
  purpose          text NOT NULL CHECK (btrim(purpose) <> ''),
  legal_basis      text NOT NULL CHECK (btrim(legal_basis) <> ''),
  valid_from       date NOT NULL,
  valid_until      date CHECK (valid_until IS NULL OR valid_until >= valid_from),
  status           text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REFUSED')),
  submitted_at     timestamptz NOT NULL,
  decided_at       timestamptz,
  decided_by       text,
  decision_reason  text,
  CHECK ((status = 'PENDING') = (decided_at IS NULL AND decided_by IS NULL)),
  CHECK (status <> 'REFUSED' OR btrim(coalesce(decision_reason, '')) <> '')
);
CREATE INDEX access_requests_consumer_idx ON access_requests (consumer_agency, submitted_at DESC);
CREATE INDEX access_requests_provider_idx ON access_requests (provider_agency, status, submitted_at DESC);

CREATE TABLE grants (
  id                 uuid PRIMARY KEY,
  request_id         uuid NOT NULL UNIQUE REFERENCES access_requests (id),
  consumer_agency    text NOT NULL,
  provider_agency    text NOT NULL,
  fields             text[] NOT NULL CHECK (cardinality(fields) > 0),
  valid_from         date NOT NULL,
  valid_until        date CHECK (valid_until IS NULL OR valid_until >= valid_from),
  -- The stored state; EXPIRED is never stored, it is computed (grant_status below).
  status             text NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'TERMINATED')),
  status_reason      text,
  status_changed_at  timestamptz NOT NULL,
  status_changed_by  text NOT NULL,
  created_at         timestamptz NOT NULL,
  CHECK (status = 'ACTIVE' OR btrim(coalesce(status_reason, '')) <> '')
);
CREATE INDEX grants_provider_idx ON grants (provider_agency, status);
CREATE INDEX grants_consumer_idx ON grants (consumer_agency, created_at DESC);

-- Every transition of every grant, with who did it and why (Quy chế, Điều 16.1.a: request history).
CREATE TABLE grant_events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  grant_id      uuid NOT NULL REFERENCES grants (id),
  from_status   text CHECK (from_status IN ('ACTIVE', 'SUSPENDED', 'TERMINATED')),
  to_status     text NOT NULL CHECK (to_status IN ('ACTIVE', 'SUSPENDED', 'TERMINATED')),
  actor         text NOT NULL,
  actor_agency  text NOT NULL,
  reason        text,
  at            timestamptz NOT NULL
);
CREATE INDEX grant_events_grant_idx ON grant_events (grant_id, at, id);

CREATE TABLE notifications (
  id                uuid PRIMARY KEY,
  recipient_agency  text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('REQUEST_SUBMITTED', 'REQUEST_APPROVED', 'REQUEST_REFUSED',
                                                  'GRANT_SUSPENDED', 'GRANT_RESUMED', 'GRANT_TERMINATED')),
  request_id        uuid REFERENCES access_requests (id),
  grant_id          uuid REFERENCES grants (id),
  message           text NOT NULL,
  created_at        timestamptz NOT NULL,
  read_at           timestamptz
);
CREATE INDEX notifications_recipient_idx ON notifications (recipient_agency, created_at DESC);

CREATE TABLE consents (
  id            uuid PRIMARY KEY,
  personal_id   text NOT NULL CHECK (personal_id ~ '^[0-9]{12}$'),
  agency        text NOT NULL,
  fields        text[] NOT NULL CHECK (cardinality(fields) > 0),
  given_at      timestamptz NOT NULL,
  valid_until   date,
  withdrawn_at  timestamptz
);
CREATE INDEX consents_person_idx ON consents (personal_id, given_at DESC);
CREATE INDEX consents_fields_idx ON consents USING gin (fields) WHERE withdrawn_at IS NULL;

-- The one definition of a grant's state on `today`: terminated is final, then a passed window is
-- EXPIRED, else the stored state. Usable = ACTIVE and today within [valid_from, valid_until].
CREATE FUNCTION grant_status(status text, valid_until date, today date) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE
    WHEN status = 'TERMINATED' THEN 'TERMINATED'
    WHEN valid_until IS NOT NULL AND valid_until < today THEN 'EXPIRED'
    ELSE status
  END;

CREATE FUNCTION grant_usable(status text, valid_from date, valid_until date, today date) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN grant_status(status, valid_until, today) = 'ACTIVE' AND valid_from <= today;

CREATE FUNCTION consent_status(withdrawn_at timestamptz, valid_until date, today date) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE
    WHEN withdrawn_at IS NOT NULL THEN 'WITHDRAWN'
    WHEN valid_until IS NOT NULL AND valid_until < today THEN 'EXPIRED'
    ELSE 'ACTIVE'
  END;
