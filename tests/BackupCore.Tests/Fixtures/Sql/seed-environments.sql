-- The seed's shape: one schema per environment, uuid-ossp defaults, varchar[] with '{}' defaults,
-- "createdAt" timestamptz, FKs with ON DELETE CASCADE, a unique index on lower(name).
-- Views on these tables belong in code-objects fixtures (they extend this file).
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;

CREATE SCHEMA "infinite-prod";
CREATE SCHEMA "infinite-staging";

CREATE TABLE "infinite-prod".users (
    id uuid DEFAULT public.uuid_generate_v4() NOT NULL PRIMARY KEY,
    name character varying(255) NOT NULL,
    email character varying(255) NOT NULL UNIQUE,
    roles character varying(255)[] DEFAULT '{}'::character varying[] NOT NULL,
    "createdAt" timestamp with time zone DEFAULT now() NOT NULL,
    "updatedAt" timestamp with time zone DEFAULT now() NOT NULL
);
CREATE UNIQUE INDEX users_lower_name_idx ON "infinite-prod".users (lower((name)::text));

CREATE TABLE "infinite-prod".events (
    id uuid DEFAULT public.uuid_generate_v4() NOT NULL PRIMARY KEY,
    title character varying(255) NOT NULL,
    tags character varying(255)[] DEFAULT '{}'::character varying[],
    "ownerId" uuid REFERENCES "infinite-prod".users(id) ON DELETE CASCADE,
    "startsAt" timestamp with time zone,
    "createdAt" timestamp with time zone DEFAULT now() NOT NULL
);
CREATE INDEX "events_ownerId_idx" ON "infinite-prod".events ("ownerId");

CREATE TABLE "infinite-prod".venues (
    id serial PRIMARY KEY,
    name text NOT NULL,
    "eventId" uuid REFERENCES "infinite-prod".events(id) ON DELETE CASCADE
);

INSERT INTO "infinite-prod".users (name, email, roles) VALUES
  ('Ada', 'ada@example.com', '{admin,editor}'),
  ('Bob', 'bob@example.org', '{}'),
  ('Zoë 東京', 'zoe@example.net', '{viewer}');
INSERT INTO "infinite-prod".events (title, tags, "ownerId", "startsAt")
  SELECT 'Event of ' || name, '{music}', id, '2026-01-02 03:04:05+00' FROM "infinite-prod".users;
INSERT INTO "infinite-prod".venues (name, "eventId") SELECT 'Hall ' || title, id FROM "infinite-prod".events;

CREATE TABLE "infinite-staging".users (LIKE "infinite-prod".users INCLUDING ALL);
CREATE TABLE "infinite-staging".events (
    id uuid DEFAULT public.uuid_generate_v4() NOT NULL PRIMARY KEY,
    title character varying(255) NOT NULL,
    "ownerId" uuid REFERENCES "infinite-staging".users(id) ON DELETE CASCADE,
    "createdAt" timestamp with time zone DEFAULT now() NOT NULL
);
INSERT INTO "infinite-staging".users (name, email) VALUES ('Stage', 'stage@example.com');
