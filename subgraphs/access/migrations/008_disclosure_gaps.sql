-- Providers now deliver each record's chain and the hash it was sealed on. Within a chain a provider
-- relays records in seq order, and each is sealed on the hash of the one before it, so the ledger can
-- tell, as records arrive, when one does not follow the last it received of that chain: records were
-- skipped (a relay whose cursor was moved past them, so they never reach citizens or the usage
-- figures), or the chain was set back (records the ledger holds were removed from the log and the
-- chain continued from an older one). Each such break is kept here for governance
-- (Query.disclosureGaps). Records received before carry no chain and are not checked.
ALTER TABLE disclosures
  ADD COLUMN chain smallint CHECK (chain BETWEEN 0 AND 7),
  ADD COLUMN prev_hash text CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  ADD CONSTRAINT disclosures_chain_whole CHECK ((chain IS NULL) = (prev_hash IS NULL));
CREATE INDEX disclosures_by_chain ON disclosures (provider_agency, chain, log_seq) WHERE chain IS NOT NULL;

CREATE TABLE disclosure_gaps (
  provider_agency  text        NOT NULL,
  chain            smallint    NOT NULL,
  -- The record that did not follow the one before it in the ledger.
  before_seq       bigint      NOT NULL,
  -- The last record of the chain the ledger held before it; null when the ledger held none.
  after_seq        bigint,
  -- SKIPPED: the record follows one the ledger never received. SET_BACK: it follows an older record
  -- than the last one received, which the log no longer leads on from.
  kind             text        NOT NULL CHECK (kind IN ('SKIPPED', 'SET_BACK')),
  detected_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_agency, chain, before_seq)
);
CREATE INDEX disclosure_gaps_by_detection ON disclosure_gaps (detected_at, provider_agency, chain, before_seq);
