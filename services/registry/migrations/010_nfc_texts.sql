-- Texts are NFC-normalised at the HTTP edge now (issue 7, finding 6), so that
-- a decomposed "è" (e + U+0300) and a composed one are the same text and the
-- search finds both. Texts written before are normalised here. normalize()
-- needs a UTF8 database (what provisioning creates); on any other encoding
-- this does nothing and old texts stay as written.
DO $$
BEGIN
    IF current_setting('server_encoding') = 'UTF8' THEN
        UPDATE stakeholders SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
        UPDATE applications SET organisation_name = normalize(organisation_name, NFC)
         WHERE organisation_name IS NOT NFC NORMALIZED;
        UPDATE applications SET rejection_reason = normalize(rejection_reason, NFC)
         WHERE rejection_reason IS NOT NFC NORMALIZED;
        UPDATE people SET full_name = normalize(full_name, NFC) WHERE full_name IS NOT NFC NORMALIZED;
        UPDATE calls SET title = normalize(title, NFC), description = normalize(description, NFC),
                         requirements = normalize(requirements, NFC)
         WHERE title IS NOT NFC NORMALIZED OR description IS NOT NFC NORMALIZED
            OR requirements IS NOT NFC NORMALIZED;
        UPDATE ambito_profile SET name = normalize(name, NFC), ente_gestore = normalize(ente_gestore, NFC),
                                  asl_district = normalize(asl_district, NFC)
         WHERE name IS NOT NFC NORMALIZED OR ente_gestore IS NOT NFC NORMALIZED
            OR asl_district IS NOT NFC NORMALIZED;
    END IF;
END
$$;
