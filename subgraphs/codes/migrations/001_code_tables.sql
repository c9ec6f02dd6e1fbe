-- The governing department's shared code tables (bảng mã danh mục dùng chung): reference data,
-- loaded by seed.ts from subgraphs/codes/data/.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Both editions of the GSO unit list. Codes are reused across editions, so (code, edition) is the key.
CREATE TABLE administrative_units (
  code         text NOT NULL CHECK (code ~ '^([0-9]{2}|[0-9]{3}|[0-9]{5})$'),
  edition      text NOT NULL CHECK (edition IN ('THREE_LEVEL', 'TWO_LEVEL')),
  level        text NOT NULL CHECK (level IN ('PROVINCE', 'DISTRICT', 'COMMUNE')),
  name         text NOT NULL,
  name_folded  text NOT NULL,
  kind         text NOT NULL,
  parent_code  text,
  valid_from   date,
  valid_until  date,
  PRIMARY KEY (code, edition),
  -- A parent lives in the same edition; only provinces have none, and the two-level system has no districts.
  FOREIGN KEY (parent_code, edition) REFERENCES administrative_units (code, edition),
  CHECK ((level = 'PROVINCE') = (parent_code IS NULL)),
  CHECK (NOT (edition = 'TWO_LEVEL' AND level = 'DISTRICT')),
  CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from <= valid_until)
);

CREATE INDEX administrative_units_parent_idx ON administrative_units (parent_code, edition, code);
CREATE INDEX administrative_units_name_trgm_idx ON administrative_units USING gin (name_folded gin_trgm_ops);

-- Old (THREE_LEVEL) commune -> new (TWO_LEVEL) commune; an old commune split between new ones has several rows.
CREATE TABLE unit_crosswalk (
  old_code     text NOT NULL,
  new_code     text NOT NULL,
  old_edition  text NOT NULL GENERATED ALWAYS AS ('THREE_LEVEL') STORED,
  new_edition  text NOT NULL GENERATED ALWAYS AS ('TWO_LEVEL') STORED,
  PRIMARY KEY (old_code, new_code),
  FOREIGN KEY (old_code, old_edition) REFERENCES administrative_units (code, edition),
  FOREIGN KEY (new_code, new_edition) REFERENCES administrative_units (code, edition)
);

CREATE INDEX unit_crosswalk_new_idx ON unit_crosswalk (new_code, old_code);

CREATE TABLE ethnic_groups (
  code  text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
  name  text NOT NULL
);

CREATE TABLE land_use_types (
  code            text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
  name            text NOT NULL,
  land_use_group  text NOT NULL CHECK (land_use_group IN ('AGRICULTURAL', 'NON_AGRICULTURAL', 'UNUSED'))
);

CREATE TABLE vsic_activities (
  code  text PRIMARY KEY CHECK (code ~ '^[0-9]{4}$'),
  name  text NOT NULL
);
