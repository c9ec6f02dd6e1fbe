-- Heritage sites (di tích) and tourist accommodation (cơ sở lưu trú du lịch) of Sở Văn hóa, Thể thao
-- và Du lịch. Communes and operators belong to other agencies (codes, enterprises): kept as keys only.

CREATE TABLE heritage_sites (
  code            text PRIMARY KEY CHECK (code ~ '^DT-[0-9]{4}$'),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind            text NOT NULL CHECK (kind IN ('HISTORICAL', 'ARCHITECTURAL_ARTISTIC', 'ARCHAEOLOGICAL', 'SCENIC')),
  rank            text NOT NULL CHECK (rank IN ('PROVINCIAL', 'NATIONAL', 'SPECIAL_NATIONAL')),
  ranked_on       date NOT NULL,
  commune_code    text NOT NULL,
  commune_edition text NOT NULL CHECK (commune_edition IN ('THREE_LEVEL', 'TWO_LEVEL'))
);
CREATE INDEX heritage_sites_commune_idx ON heritage_sites (commune_edition, commune_code);

CREATE TABLE accommodation_establishments (
  recognition_number        text PRIMARY KEY CHECK (recognition_number ~ '^[0-9]{4}/LT$'),
  name                      text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind                      text NOT NULL CHECK (kind IN ('HOTEL', 'TOURIST_VILLA', 'TOURIST_APARTMENT', 'GUEST_HOUSE', 'HOMESTAY', 'CAMPSITE')),
  -- Only hotels, villas and apartments are ranked by stars.
  stars                     smallint CHECK (stars IS NULL OR (stars BETWEEN 1 AND 5 AND kind IN ('HOTEL', 'TOURIST_VILLA', 'TOURIST_APARTMENT'))),
  rooms                     smallint NOT NULL CHECK (rooms BETWEEN 1 AND 2000),
  address_line              text NOT NULL,
  commune_code              text NOT NULL,
  commune_edition           text NOT NULL CHECK (commune_edition IN ('THREE_LEVEL', 'TWO_LEVEL')),
  operator_tax_code         text NOT NULL,
  guest_arrivals_last_year  integer NOT NULL CHECK (guest_arrivals_last_year >= 0)
);
CREATE INDEX accommodation_establishments_commune_idx ON accommodation_establishments (commune_edition, commune_code);
