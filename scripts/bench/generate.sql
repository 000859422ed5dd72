-- Benchmark database, sized by the psql variable :scale (1 ≈ 10 MB of table data).
-- A realistic mix: an events-like table (text, jsonb, arrays, e-mail addresses), a wide table,
-- a table of large values, and many small tables.
\set ON_ERROR_STOP 1
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;
CREATE SCHEMA bench;
CREATE TABLE bench.events (
  id bigserial PRIMARY KEY,
  uid uuid NOT NULL DEFAULT public.uuid_generate_v4(),
  title text NOT NULL,
  body text,
  organizer_email varchar(255),
  tags varchar(64)[] NOT NULL DEFAULT '{}',
  payload jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO bench.events (title, body, organizer_email, tags, payload, created_at)
SELECT 'Event number ' || g,
       'Line one of the description of event ' || g || E'\n\twith a tab, a backslash \\ and contact person' || (g % 5000) || '@example.org. ' || repeat(md5(g::text), 3),
       'organizer' || (g % 20000) || '@infinite.example',
       ARRAY['music', 'art', 'tag' || (g % 100)],
       jsonb_build_object('venue', 'Venue ' || (g % 300), 'price', (g % 50) * 1.5, 'contact', 'box' || (g % 999) || '@venues.example', 'seats', g % 400),
       timestamptz '2026-01-01' + (g || ' minutes')::interval
FROM generate_series(1, 16000 * :scale) g;

CREATE TABLE bench.wide (id int PRIMARY KEY,
  c01 int, c02 int, c03 bigint, c04 numeric, c05 text, c06 text, c07 text, c08 date, c09 timestamptz, c10 boolean,
  c11 int, c12 int, c13 bigint, c14 numeric, c15 text, c16 text, c17 text, c18 date, c19 timestamptz, c20 boolean,
  c21 double precision, c22 real, c23 uuid, c24 inet, c25 interval, c26 text, c27 text, c28 varchar(40), c29 char(8), c30 smallint);
INSERT INTO bench.wide
SELECT g, g, g * 2, g::bigint * 1000003, g / 7.0, 'alpha' || g, 'beta' || (g % 97), md5(g::text), date '2020-01-01' + g % 2000, now(), g % 2 = 0,
       g % 13, g % 17, g * 31, g / 3.0, 'gamma', 'delta' || g, md5((g + 1)::text), date '2021-01-01' + g % 900, now(), g % 3 = 0,
       g / 11.0, g / 13.0, public.uuid_generate_v4(), ('10.0.' || (g % 250) || '.' || (g % 250))::inet, (g % 1000 || ' seconds')::interval,
       repeat('x', g % 50), 'epsilon', 'zeta' || g, 'eta', (g % 30000)::smallint
FROM generate_series(1, 4000 * :scale) g;

CREATE TABLE bench.documents (id int PRIMARY KEY, name text NOT NULL, content text NOT NULL);
INSERT INTO bench.documents
SELECT g, 'document ' || g, string_agg(md5((g * 1000 + i)::text), ' ')
FROM generate_series(1, 20 * :scale) g, generate_series(1, 1500) i
GROUP BY g;

DO $$
BEGIN
  FOR i IN 1..100 LOOP
    EXECUTE format('CREATE TABLE bench.small_%s (id int PRIMARY KEY, label text NOT NULL, updated_at timestamptz DEFAULT now())', i);
    EXECUTE format('INSERT INTO bench.small_%s (id, label) SELECT g, %L || g FROM generate_series(1, 100) g', i, 'label ');
  END LOOP;
END $$;
ANALYZE;
