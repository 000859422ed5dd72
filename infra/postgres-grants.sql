-- Read access for the backup Function App's identity on Azure Database for PostgreSQL Flexible Server.
--
-- Run once per server as its Entra administrator (infra/main.bicep sets it: postgresEntraAdmin), connected to
-- the postgres database (where Azure installs pgaadauth); the script then switches to the database that holds
-- the schemas. The password is an Entra access token:
--
--   export PGPASSWORD="$(az account get-access-token --resource-type oss-rdbms --query accessToken -o tsv)"
--   psql "host=$POSTGRES_HOST dbname=postgres user=<admin group or user name> sslmode=require" \
--        -v app_role="$AZURE_IDENTITY_NAME" -v database=infinite -v schemas='infinite-prod,infinite-staging' \
--        -f infra/postgres-grants.sql
--
-- app_role is the user-assigned identity's name (Bicep output AZURE_IDENTITY_NAME); the app logs in with that
-- name (Backup__Targets__N__Username) and a token for https://ossrdbms-aad.database.windows.net.
-- Safe to run again: every statement is idempotent.
\set ON_ERROR_STOP on

-- The Entra-backed login role. pgaadauth_create_principal(name, isAdmin, isMfa) looks the name up in Entra ID
-- (a managed identity's display name); it is not an administrator, so it gets nothing beyond the grants below.
-- (pgaadauth_create_principal_with_oid(name, object_id, 'service', false, false) pins the object id instead.)
SELECT pgaadauth_create_principal(:'app_role', false, false)
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'app_role');

-- Grants live in the database of the schemas; \connect keeps host, user and password.
\connect :"database"

-- The DO block cannot see psql variables; pass them through session settings.
SELECT set_config('infinite_backup.app_role', :'app_role', false),
       set_config('infinite_backup.schemas', :'schemas', false);

DO $grants$
DECLARE
  app_role text := current_setting('infinite_backup.app_role');
  schema_name text;
  schema_owner text;
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), app_role);

  FOREACH schema_name IN ARRAY string_to_array(current_setting('infinite_backup.schemas'), ',') LOOP
    schema_name := btrim(schema_name);
    SELECT n.nspowner::regrole::text INTO schema_owner
      FROM pg_catalog.pg_namespace n WHERE n.nspname = schema_name;
    IF schema_owner IS NULL THEN
      RAISE EXCEPTION 'schema "%" does not exist in database "%"', schema_name, current_database();
    END IF;

    -- What a dump reads: the schema, every table (COPY TO needs SELECT; so does LOCK ... IN ACCESS SHARE
    -- MODE, which the backup takes to keep tables from being dropped mid-dump) and sequence state.
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', schema_name, app_role);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', schema_name, app_role);
    EXECUTE format('GRANT SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', schema_name, app_role);

    -- Tables and sequences the API's migrations create later belong to the schema owner: grant them in
    -- advance. ALTER DEFAULT PRIVILEGES FOR ROLE needs membership in that role.
    IF pg_catalog.pg_has_role(current_user, schema_owner::regrole, 'MEMBER') THEN
      EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %I GRANT SELECT ON TABLES TO %I',
                     schema_owner, schema_name, app_role);
      EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %I GRANT SELECT ON SEQUENCES TO %I',
                     schema_owner, schema_name, app_role);
    ELSE
      -- Without them the first backup after a migration fails on the new table: refuse rather than half-grant.
      RAISE EXCEPTION 'default privileges for schema "%" need membership in its owner %', schema_name, schema_owner
        USING HINT = format('run "GRANT %s TO %I;" first, or run this file as %s', schema_owner, current_user, schema_owner);
    END IF;
  END LOOP;
END
$grants$;
