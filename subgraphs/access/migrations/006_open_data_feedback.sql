-- Feedback on open data (Decree 47/2020 Art. 19.2 and 19.4.a: a channel on the data portal, and a
-- contact point receiving what organisations and people say about open data's quality, usability,
-- format and lawfulness, and which data they need). Anyone may send it, with no account; it goes to
-- the agency owning the dataset, or to the governing department when it names no dataset (a request
-- for new data). The sender keeps the id as a ticket: it shows the status and the reply, never the
-- message or the contact.
CREATE TABLE open_data_feedback (
  id           uuid PRIMARY KEY,
  received_at  timestamptz NOT NULL,
  -- The open dataset, as the root field that serves it (e.g. landParcels); null for a request for new data.
  dataset      text CHECK (dataset ~ '^[A-Za-z_][A-Za-z0-9_]*$'),
  -- The agency that answers: the dataset's owner, or the governing department.
  handled_by   text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('DATA_ERROR', 'FORMAT_OR_USABILITY', 'LEGAL_CONCERN', 'NEW_DATA_REQUEST', 'OTHER')),
  message      text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 2000),
  -- How to reach the sender, if they gave it: shown to the answering agency only.
  contact      text CHECK (char_length(contact) BETWEEN 1 AND 200),
  reply        text CHECK (char_length(reply) BETWEEN 1 AND 2000),
  answered_at  timestamptz,
  answered_by  text,
  CHECK ((reply IS NULL) = (answered_at IS NULL) AND (reply IS NULL) = (answered_by IS NULL))
);
CREATE INDEX open_data_feedback_handler_idx ON open_data_feedback (handled_by, received_at DESC, id DESC);
CREATE INDEX open_data_feedback_received_idx ON open_data_feedback (received_at DESC, id DESC);

-- An agency hears of new feedback among its notifications.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('REQUEST_SUBMITTED', 'REQUEST_APPROVED',
  'REQUEST_REFUSED', 'GRANT_SUSPENDED', 'GRANT_RESUMED', 'GRANT_TERMINATED', 'OPEN_DATA_FEEDBACK'));
ALTER TABLE notifications ADD COLUMN feedback_id uuid REFERENCES open_data_feedback (id);
