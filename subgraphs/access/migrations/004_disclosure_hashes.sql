-- Providers now deliver each record's chain hash with it: the ledger's copy is the log's anchor
-- outside the provider, against which `verify` finds the newest records removed, or a chain rewritten.
-- Records received before carry none.
ALTER TABLE disclosures ADD COLUMN hash text CHECK (hash IS NULL OR hash ~ '^[0-9a-f]{64}$');
