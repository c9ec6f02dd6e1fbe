-- Providers now deliver data subjects grouped by the fields disclosed about them
-- ([{"fields": [...], "subjects": [...]}]); the copies received before are put in the same form.
UPDATE disclosures d
   SET subject_fields = coalesce((
         SELECT jsonb_agg(jsonb_build_object('fields', g.fields, 'subjects', g.subjects))
           FROM (SELECT s.value AS fields, jsonb_agg(s.key ORDER BY s.key) AS subjects
                   FROM jsonb_each(d.subject_fields) AS s
                  GROUP BY s.value) AS g), '[]'::jsonb)
 WHERE jsonb_typeof(d.subject_fields) = 'object';
