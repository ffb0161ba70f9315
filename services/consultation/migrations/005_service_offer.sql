-- The map of services (mappatura dell'offerta): the services and resources an
-- organisation of the register offers on the Ambito's territory, the offer side
-- of the community profile (seed 001 FASE 2). One row per service; never
-- deleted: retiring keeps the row (status 'retired'), and the entries of a
-- withdrawn organisation stay, pointing at its replica row.
CREATE TABLE service_offers (
    id                 uuid        PRIMARY KEY,
    -- list order (the shared cursor pagination)
    seq                bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    organisation_id    uuid        NOT NULL REFERENCES organisations (organisation_id),
    name               text        NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    description        text        NOT NULL DEFAULT '',
    -- one of the region's thematic area codes (shared/regions.py), checked by the API
    area               text        NOT NULL,
    -- services/consultation/targets.py
    target_group       text        NOT NULL CHECK (target_group IN ('minori', 'giovani_famiglia', 'anziani',
                                       'dipendenze', 'salute_mentale', 'disabilita', 'immigrazione',
                                       'poverta_emarginazione', 'popolazione_generale')),
    -- ISTAT codes of the comuni served (of the Ambito's profile when it has arrived)
    comuni             text[]      NOT NULL CHECK (cardinality(comuni) >= 1),
    capacity_amount    int         CHECK (capacity_amount > 0),
    capacity_unit      text        CHECK (capacity_unit IN ('posti', 'utenti-anno', 'ore-settimana',
                                       'accessi-anno', 'nuclei-anno', 'pasti-giorno')),
    -- weekday ranges [{day_from, day_to, opens, closes}] (offer/domain.py checks them) and a note
    opening_hours      jsonb       NOT NULL DEFAULT '[]',
    opening_notes      text        NOT NULL DEFAULT '',
    accredited         boolean     NOT NULL DEFAULT false,
    accredited_by      text,
    accredited_since   date,
    -- the service's office contacts, never a person's
    contact_phone      text,
    contact_email      text,
    contact_website    text,
    address            text,
    status             text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    retired_at         timestamptz,
    retired_reason     text,
    -- true when the Ufficio di Piano recorded it for the organisation (not its representative)
    recorded_by_office boolean     NOT NULL,
    version            int         NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by         text        NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    updated_by         text        NOT NULL,
    CHECK ((capacity_amount IS NULL) = (capacity_unit IS NULL)),
    CHECK (accredited OR (accredited_by IS NULL AND accredited_since IS NULL)),
    CHECK ((status = 'retired') = (retired_at IS NOT NULL))
);
CREATE INDEX service_offers_organisation ON service_offers (organisation_id, seq);
CREATE INDEX service_offers_area_target ON service_offers (area, target_group);
CREATE INDEX service_offers_comuni ON service_offers USING gin (comuni);
