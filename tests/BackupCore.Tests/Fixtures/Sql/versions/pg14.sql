-- What PostgreSQL 14 added that the catalog sources read: multiranges (pg_range.rngmultitypid), per-column
-- compression (pg_attribute.attcompression), SQL-standard function bodies (pg_get_function_sqlbody), procedures
-- with OUT parameters, and extended statistics on expressions. Loaded into servers of 14 and newer.
CREATE SCHEMA v14;
CREATE TYPE v14.price_range AS RANGE (subtype = numeric, multirange_type_name = v14.price_ranges);
CREATE TABLE v14.offers (
    id integer PRIMARY KEY,
    windows v14.price_ranges,
    spans int4multirange DEFAULT '{}'::int4multirange,
    body text COMPRESSION pglz,
    note text
);
ALTER TABLE v14.offers ALTER COLUMN note SET COMPRESSION pglz;
CREATE FUNCTION v14.offer_count() RETURNS bigint
    LANGUAGE sql STABLE
    RETURN (SELECT count(*) FROM v14.offers);
CREATE FUNCTION v14.add(a integer, b integer) RETURNS integer
    LANGUAGE sql IMMUTABLE
    BEGIN ATOMIC
        SELECT a + b;
    END;
CREATE PROCEDURE v14.bump(INOUT n integer, OUT doubled integer)
    LANGUAGE plpgsql AS $$ BEGIN n := n + 1; doubled := n * 2; END $$;
CREATE STATISTICS v14.offers_expr ON (lower(note)), id FROM v14.offers;
INSERT INTO v14.offers VALUES
    (1, '{[1,2), [5,8)}', '{[1,3)}', repeat('x', 5000), 'Offer@Example.com'),
    (2, NULL, DEFAULT, NULL, NULL);
