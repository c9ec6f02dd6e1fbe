-- Construction permits (giấy phép xây dựng) of Sở Xây dựng. The parcel and the applicant belong to
-- other agencies (land, citizens, enterprises): they are kept as keys only, with no foreign key.

CREATE TABLE construction_permits (
  number                text PRIMARY KEY CHECK (length(number) BETWEEN 1 AND 40),
  kind                  text NOT NULL CHECK (kind IN ('NEW_CONSTRUCTION', 'RENOVATION', 'RELOCATION')),
  status                text NOT NULL CHECK (status IN ('ISSUED', 'REVOKED', 'EXPIRED')),
  issued_on             date NOT NULL,
  expires_on            date NOT NULL CHECK (expires_on > issued_on),
  address_line          text NOT NULL,
  commune_code          text NOT NULL,
  commune_edition       text NOT NULL CHECK (commune_edition IN ('THREE_LEVEL', 'TWO_LEVEL')),
  floors                smallint NOT NULL CHECK (floors BETWEEN 1 AND 200),
  gross_floor_area      numeric(12, 1) NOT NULL CHECK (gross_floor_area > 0),
  parcel_id             text NOT NULL,
  applicant_kind        text NOT NULL CHECK (applicant_kind IN ('CITIZEN', 'ENTERPRISE')),
  applicant_citizen_id  char(12) CHECK (applicant_citizen_id ~ '^[0-9]{12}$'),
  applicant_tax_code    text,
  -- Exactly one applicant key, matching the kind.
  CHECK (
    (applicant_kind = 'CITIZEN' AND applicant_citizen_id IS NOT NULL AND applicant_tax_code IS NULL)
    OR (applicant_kind = 'ENTERPRISE' AND applicant_tax_code IS NOT NULL AND applicant_citizen_id IS NULL)
  )
);

-- Serves LandParcel.constructionPermits: the window over each parcel reads its newest permits in index order.
CREATE INDEX construction_permits_parcel_idx ON construction_permits (parcel_id, issued_on DESC, number DESC);
CREATE INDEX construction_permits_commune_idx ON construction_permits (commune_edition, commune_code);
CREATE INDEX construction_permits_issued_idx ON construction_permits (issued_on);
