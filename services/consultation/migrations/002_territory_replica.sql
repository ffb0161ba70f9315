-- Read-only replica of the Ambito's profile (it.pdz.registry.profile.updated.v1):
-- the territory and population the community profile (profilo di comunità) needs.
-- origin as in 001: the Ambito the profile belongs to.
CREATE TABLE territory_profiles (
    origin           text        PRIMARY KEY,
    name             text        NOT NULL,
    region           text        NOT NULL,
    capofila_istat   text        NOT NULL,
    ente_gestore     text,
    asl_district     text,
    total_population int         NOT NULL,
    version          int         NOT NULL,
    as_of            timestamptz NOT NULL,
    source_event_id  text        NOT NULL
);
-- One row per comune any profile version listed, with the newest version that
-- listed it; the comuni of the profile now are those whose version is the
-- profile's (view territory_comuni_now). A comune dropped from the profile keeps
-- its older version: no delete that a late, older snapshot could undo.
CREATE TABLE territory_comuni (
    origin          text NOT NULL,
    istat_code      text NOT NULL CHECK (istat_code ~ '^[0-9]{6}$'),
    name            text NOT NULL,
    province        text NOT NULL,
    population      int  NOT NULL CHECK (population >= 0),
    population_date date NOT NULL,
    position        int  NOT NULL,   -- the order the Ufficio di Piano gave
    version         int  NOT NULL,
    PRIMARY KEY (origin, istat_code)
);
CREATE VIEW territory_comuni_now AS
    SELECT c.origin, c.istat_code, c.name, c.province, c.population, c.population_date, c.position
    FROM territory_comuni c JOIN territory_profiles p ON p.origin = c.origin AND p.version = c.version;
