-- The demo's sample database: one schema per environment, shaped like the seed application's
-- (uuid-ossp defaults, varchar[] with '{}' defaults, quoted camel-case columns, jsonb, FKs with
-- ON DELETE CASCADE, a unique index on lower(name), views built on views).
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;

DO $do$
DECLARE s text;
BEGIN
  FOREACH s IN ARRAY ARRAY['infinite-prod', 'infinite-staging'] LOOP
    EXECUTE format($sql$
      CREATE SCHEMA %1$I;
      CREATE TABLE %1$I.users (
        id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
        name varchar(255) NOT NULL,
        email varchar(255) NOT NULL UNIQUE,
        roles varchar(255)[] NOT NULL DEFAULT '{}',
        "createdAt" timestamptz NOT NULL DEFAULT now(),
        "updatedAt" timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX users_lower_name_idx ON %1$I.users (lower(name));
      CREATE TABLE %1$I.venues (
        id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
        name varchar(255) NOT NULL,
        address jsonb NOT NULL DEFAULT '{}',
        "contactEmail" text
      );
      CREATE TABLE %1$I.events (
        id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
        title text NOT NULL,
        description text,
        tags varchar(255)[] NOT NULL DEFAULT '{}',
        verified boolean NOT NULL DEFAULT false,
        "organizerId" uuid REFERENCES %1$I.users (id) ON DELETE CASCADE,
        "venueId" uuid REFERENCES %1$I.venues (id) ON DELETE CASCADE,
        "startsAt" timestamptz,
        "createdAt" timestamptz NOT NULL DEFAULT now()
      );
      CREATE VIEW %1$I.verified_events AS SELECT * FROM %1$I.events WHERE verified;
      CREATE VIEW %1$I.upcoming_verified_events AS SELECT * FROM %1$I.verified_events WHERE "startsAt" > now();
      COMMENT ON TABLE %1$I.users IS 'People who post events; contact: admin@infinite.industries';
    $sql$, s);

    EXECUTE format($sql$
      INSERT INTO %1$I.users (name, email, roles)
      SELECT 'user ' || g, 'user' || g || '@example.org', CASE WHEN g %% 10 = 0 THEN '{admin}'::varchar[] ELSE '{}' END
      FROM generate_series(1, 200) g;
      INSERT INTO %1$I.venues (name, address, "contactEmail")
      SELECT 'Venue ' || g, jsonb_build_object('city', 'Lexington', 'street', g || ' Main St', 'email', 'venue' || g || '@venues.example'), 'booking' || g || '@venues.example'
      FROM generate_series(1, 50) g;
      INSERT INTO %1$I.events (title, description, tags, verified, "organizerId", "venueId", "startsAt")
      SELECT 'Event ' || g, E'Contact the organizer at organizer' || g || E'@example.org\nTabs\tand backslashes \\ survive.',
             ARRAY['music', 'art'], g %% 3 = 0,
             (SELECT id FROM %1$I.users ORDER BY name OFFSET (g %% 200) LIMIT 1),
             (SELECT id FROM %1$I.venues ORDER BY name OFFSET (g %% 50) LIMIT 1),
             now() + (g || ' days')::interval
      FROM generate_series(1, 1000) g;
    $sql$, s);
  END LOOP;
END
$do$;
