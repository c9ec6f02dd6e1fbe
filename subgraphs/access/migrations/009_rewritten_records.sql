-- A record delivered again under a seq the ledger holds, with another hash, is kept as a gap too
-- (REWRITTEN): the ledger keeps the copy it received first, and the log that sent the second was
-- rewritten from there or before.
ALTER TABLE disclosure_gaps DROP CONSTRAINT disclosure_gaps_kind_check;
ALTER TABLE disclosure_gaps ADD CONSTRAINT disclosure_gaps_kind_check CHECK (kind IN ('SKIPPED', 'SET_BACK', 'REWRITTEN'));
