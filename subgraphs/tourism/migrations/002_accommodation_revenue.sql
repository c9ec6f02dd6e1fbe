-- The revenue an establishment reports for the previous year (million VND): business information,
-- shared only on request. Null where none was reported, as in databases seeded before this column.
ALTER TABLE accommodation_establishments
  ADD COLUMN revenue_last_year integer CHECK (revenue_last_year IS NULL OR revenue_last_year >= 0);
