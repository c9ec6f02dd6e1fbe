-- Which agency has read which field, and when it last did: the schema registry names these as a
-- field's consumers when a proposed change would break them (DESIGN.md §8), beside the grant
-- holders. Agencies reading DEFAULT fields hold no grant, so only what they read shows them. Kept
-- up as deliveries arrive (disclosures.ts, receiveDisclosures), so that the registry's question
-- reads one row per agency and field rather than months of disclosures.
CREATE TABLE field_readers (
  consumer_agency  text        NOT NULL,
  field            text        NOT NULL,
  last_read        timestamptz NOT NULL,
  PRIMARY KEY (consumer_agency, field)
);

INSERT INTO field_readers (consumer_agency, field, last_read)
SELECT d.consumer_agency, f ->> 'field', least(max(d.recorded_at), now())
  FROM disclosures d CROSS JOIN jsonb_array_elements(d.fields) AS f
 WHERE d.consumer_agency IS NOT NULL
 GROUP BY 1, 2;
