-- A request's transaction now waits for the disk at its own COMMIT (RequestTransaction.commit with
-- `durable`), instead of committing without waiting and then waiting for a separate commit that did
-- (migration 005's disclosure.durability, updated once per flush). That second commit cost every
-- answer another round trip to the database and another transaction: at one writer, a provider wrote
-- about 420 records/s with the wait at its own COMMIT against 280 with the separate flush; at 4 and
-- 16 writers the two were alike. The reason for the separate flush is gone: it kept the single
-- chain's lock from being held through a flush, and with eight chains (migration 006) commits that
-- wait at the same moment share one flush.
DROP TABLE disclosure.durability;
