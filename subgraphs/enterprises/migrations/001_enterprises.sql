CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Keys are text (not char(n)) so that `= ANY($1::text[])` can use the indexes.
CREATE TABLE enterprises (
  tax_code            text PRIMARY KEY CHECK (tax_code ~ '^[0-9]{10}(-[0-9]{3})?$'),
  name                text NOT NULL,
  name_folded         text NOT NULL,
  international_name  text,
  kind                text NOT NULL CHECK (kind IN ('SINGLE_MEMBER_LLC', 'MULTI_MEMBER_LLC', 'JOINT_STOCK', 'PRIVATE', 'PARTNERSHIP')),
  status              text NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'DISSOLVING', 'DISSOLVED')),
  founded_on          date NOT NULL,
  address_line        text NOT NULL,
  commune_code        text NOT NULL,
  commune_edition     text NOT NULL CHECK (commune_edition IN ('THREE_LEVEL', 'TWO_LEVEL')),
  charter_capital     bigint NOT NULL CHECK (charter_capital > 0),
  employee_count      integer NOT NULL CHECK (employee_count >= 0),
  -- The legal representative's personal id; the citizen lives in the police's database, not here.
  representative_id   text NOT NULL CHECK (representative_id ~ '^[0-9]{12}$')
);

CREATE INDEX enterprises_commune_idx ON enterprises (commune_edition, commune_code);
CREATE INDEX enterprises_representative_idx ON enterprises (representative_id, founded_on, tax_code);
CREATE INDEX enterprises_founded_idx ON enterprises (founded_on);
CREATE INDEX enterprises_status_idx ON enterprises (status);
CREATE INDEX enterprises_name_trgm_idx ON enterprises USING gin (name_folded gin_trgm_ops);

CREATE TABLE enterprise_business_lines (
  tax_code   text NOT NULL REFERENCES enterprises (tax_code),
  vsic_code  text NOT NULL CHECK (vsic_code ~ '^[0-9]{4}$'),
  -- Registration order; the main line is position 0.
  position   smallint NOT NULL CHECK (position >= 0),
  is_main    boolean NOT NULL,
  PRIMARY KEY (tax_code, vsic_code),
  UNIQUE (tax_code, position)
);

-- At most one main business line per enterprise.
CREATE UNIQUE INDEX enterprise_business_lines_main_idx ON enterprise_business_lines (tax_code) WHERE is_main;
CREATE INDEX enterprise_business_lines_vsic_idx ON enterprise_business_lines (vsic_code, tax_code);
