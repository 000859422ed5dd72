-- What PostgreSQL 17 added that the catalog sources read: identity columns on partitioned tables (the partitions
-- share the parent's sequence), attstattarget NULL when unset (also after SET STATISTICS DEFAULT), and named domain
-- NOT NULL constraints in pg_constraint. Loaded into servers of 17 and newer.
CREATE SCHEMA v17;
CREATE TABLE v17.events (
    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100),
    at date NOT NULL,
    note text
) PARTITION BY RANGE (at);
CREATE TABLE v17.events_2026 PARTITION OF v17.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE v17.events_other PARTITION OF v17.events DEFAULT;
INSERT INTO v17.events (at, note) VALUES ('2026-03-01', 'a'), ('2030-01-01', 'b');
CREATE TABLE v17.targets (a integer, b integer, c integer);
ALTER TABLE v17.targets ALTER COLUMN a SET STATISTICS 300;
ALTER TABLE v17.targets ALTER COLUMN b SET STATISTICS 50;
ALTER TABLE v17.targets ALTER COLUMN b SET STATISTICS DEFAULT;
CREATE DOMAIN v17.code AS text CONSTRAINT code_required NOT NULL CONSTRAINT code_nonempty CHECK (VALUE <> '');
CREATE DOMAIN v17.plain_code AS text NOT NULL;
COMMENT ON CONSTRAINT code_required ON DOMAIN v17.code IS 'a code is always given';
CREATE TABLE v17.codes (c v17.code, p v17.plain_code);
INSERT INTO v17.targets VALUES (1, 2, 3);
INSERT INTO v17.codes VALUES ('x', 'y');
