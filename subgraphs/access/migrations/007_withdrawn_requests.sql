-- A consumer agency may withdraw a request of its own that still waits for the provider's decision
-- (one sent by mistake, or no longer needed); the provider is told. A withdrawn request is decided:
-- its decided_at and decided_by say when and by whom, its reason is optional.
ALTER TABLE access_requests DROP CONSTRAINT access_requests_status_check;
ALTER TABLE access_requests ADD CONSTRAINT access_requests_status_check CHECK (status IN ('PENDING', 'APPROVED', 'REFUSED', 'WITHDRAWN'));
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('REQUEST_SUBMITTED', 'REQUEST_APPROVED',
  'REQUEST_REFUSED', 'REQUEST_WITHDRAWN', 'GRANT_SUSPENDED', 'GRANT_RESUMED', 'GRANT_TERMINATED', 'OPEN_DATA_FEEDBACK'));
