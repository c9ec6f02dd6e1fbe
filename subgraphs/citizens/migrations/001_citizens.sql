CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE households (
  id               text PRIMARY KEY,
  head_id          text NOT NULL,
  commune_code     text NOT NULL,
  commune_edition  text NOT NULL CHECK (commune_edition IN ('THREE_LEVEL', 'TWO_LEVEL'))
);

CREATE TABLE citizens (
  id                     text PRIMARY KEY CHECK (id ~ '^[0-9]{12}$'),
  full_name              text NOT NULL,
  name_folded            text NOT NULL,
  gender                 text NOT NULL CHECK (gender IN ('MALE', 'FEMALE')),
  date_of_birth          date NOT NULL,
  ethnic_group_code      text NOT NULL,
  address_line           text NOT NULL,
  commune_code           text NOT NULL,
  commune_edition        text NOT NULL CHECK (commune_edition IN ('THREE_LEVEL', 'TWO_LEVEL')),
  address_registered_on  date NOT NULL,
  household_id           text REFERENCES households (id)
);

CREATE INDEX citizens_commune_idx ON citizens (commune_edition, commune_code);
CREATE INDEX citizens_household_idx ON citizens (household_id);
CREATE INDEX citizens_birth_idx ON citizens (date_of_birth);
CREATE INDEX citizens_name_trgm_idx ON citizens USING gin (name_folded gin_trgm_ops);
