-- What PostgreSQL 16 added that the catalog sources read: an inheritance child may generate a column with its own
-- expression (before 16 it could only inherit the parent's), and SQL/JSON constructors in view definitions.
-- Loaded into servers of 16 and newer.
CREATE SCHEMA v16;
CREATE TABLE v16.base (a integer, doubled integer GENERATED ALWAYS AS (a * 2) STORED);
CREATE TABLE v16.own_expression (doubled integer GENERATED ALWAYS AS (a * 3) STORED) INHERITS (v16.base);
CREATE TABLE v16.same_expression () INHERITS (v16.base);
CREATE VIEW v16.as_json AS
    SELECT a, JSON_OBJECT('a' VALUE a) AS j, a::text IS JSON SCALAR AS scalar FROM v16.base;
INSERT INTO v16.base (a) VALUES (1);
INSERT INTO v16.own_expression (a) VALUES (2);
INSERT INTO v16.same_expression (a) VALUES (3);
