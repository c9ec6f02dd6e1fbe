-- A delivery judges a record against the records delivered without their chain (by a relay from
-- before providers sent it) that lie between it and the last record of its chain: found by range.
-- Without this index the check read the whole ledger, and on a large one a delivery after a break
-- ran out of time, so the relay retried it for ever and nothing more of that provider arrived.
CREATE INDEX disclosures_unchained ON disclosures (provider_agency, log_seq) WHERE chain IS NULL;

-- A break is now kept as OUT_OF_CHAIN, and told apart as SKIPPED or SET_BACK when read (that costs
-- a walk of the chain, which a delivery must not wait for). One record may be both out of its chain
-- and sent again changed: the kind is part of the key.
ALTER TABLE disclosure_gaps DROP CONSTRAINT disclosure_gaps_kind_check;
ALTER TABLE disclosure_gaps ADD CONSTRAINT disclosure_gaps_kind_check CHECK (kind IN ('OUT_OF_CHAIN', 'SKIPPED', 'SET_BACK', 'REWRITTEN'));
ALTER TABLE disclosure_gaps DROP CONSTRAINT disclosure_gaps_pkey;
ALTER TABLE disclosure_gaps ADD PRIMARY KEY (provider_agency, chain, before_seq, kind);
