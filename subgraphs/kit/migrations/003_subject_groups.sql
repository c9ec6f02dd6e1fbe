-- Data subjects are recorded grouped by the fields disclosed about them, so that a list of 1,000
-- citizens with the same six fields is one group rather than 1,000 copies of the field list.
-- Records written before this migration keep the per-subject form their hashes cover.
COMMENT ON COLUMN disclosure.log.subject_fields IS
  'Data subjects grouped by the fields disclosed about them: [{"fields": ["Citizen.fullName"], "subjects": ["054204000000"]}]. Records written before migration 003: {"054204000000": ["Citizen.fullName"]}.';
