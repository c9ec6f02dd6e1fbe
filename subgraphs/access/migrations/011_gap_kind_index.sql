-- Whether a record out of its chain follows an older record of the chain (SET_BACK) or one the
-- ledger never received (SKIPPED) is told when the gaps are read, by looking its previous hash up:
-- by this index, not by a walk of the chain (which on a chain of a million records took seconds per
-- gap, and failed a citizen's view of who saw their data past the statement timeout).
CREATE INDEX disclosures_by_hash ON disclosures (hash) WHERE hash IS NOT NULL;
