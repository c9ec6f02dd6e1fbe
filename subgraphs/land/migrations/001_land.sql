-- The cadastral register (cơ sở dữ liệu địa chính) of the province's land registration office.
-- Holders are citizens and enterprises of other agencies: stored by key only, never copied. Keys are
-- text (not char(n)) so that `= ANY($1::text[])` can use the indexes.

CREATE TABLE land_parcels (
  id               text PRIMARY KEY CHECK (id ~ '^TD[0-9]{8}$'),
  map_sheet        integer NOT NULL CHECK (map_sheet > 0),
  parcel_number    integer NOT NULL CHECK (parcel_number > 0),
  area             numeric(12, 1) NOT NULL CHECK (area > 0),
  land_use_code    text NOT NULL CHECK (land_use_code ~ '^[A-Z]{3}$'),
  address_line     text NOT NULL,
  commune_code     text NOT NULL,
  commune_edition  text NOT NULL CHECK (commune_edition IN ('THREE_LEVEL', 'TWO_LEVEL')),
  -- A parcel is identified on the ground by its commune, map sheet and number.
  UNIQUE (commune_edition, commune_code, map_sheet, parcel_number)
);

CREATE INDEX land_parcels_commune_idx ON land_parcels (commune_edition, commune_code, id);
CREATE INDEX land_parcels_land_use_idx ON land_parcels (land_use_code, id);

CREATE TABLE land_use_certificates (
  serial             text PRIMARY KEY CHECK (serial ~ '^[A-Z]{2} [0-9]{6}$'),
  parcel_id          text NOT NULL REFERENCES land_parcels (id),
  issued_on          date NOT NULL,
  -- Set when a newer certificate replaces this one (transfer, re-issue); null while in force.
  superseded_on      date,
  holder_citizen_id  text CHECK (holder_citizen_id ~ '^[0-9]{12}$'),
  holder_tax_code    text CHECK (holder_tax_code ~ '^[0-9]{10}(-[0-9]{3})?$'),
  CHECK ((holder_citizen_id IS NULL) <> (holder_tax_code IS NULL))
);

-- At most one certificate in force per parcel.
CREATE UNIQUE INDEX land_use_certificates_current_idx ON land_use_certificates (parcel_id) WHERE superseded_on IS NULL;
CREATE INDEX land_use_certificates_citizen_idx ON land_use_certificates (holder_citizen_id, issued_on DESC, serial)
  WHERE holder_citizen_id IS NOT NULL AND superseded_on IS NULL;
CREATE INDEX land_use_certificates_enterprise_idx ON land_use_certificates (holder_tax_code, parcel_id)
  WHERE holder_tax_code IS NOT NULL AND superseded_on IS NULL;
