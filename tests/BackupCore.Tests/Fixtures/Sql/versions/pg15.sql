-- What PostgreSQL 15 added that the catalog sources read: NULLS NOT DISTINCT keys and indexes, ON DELETE SET NULL
-- of some key columns, unlogged sequences and security_invoker views. Loaded into servers of 15 and newer.
CREATE SCHEMA v15;
CREATE TABLE v15.accounts (
    id integer PRIMARY KEY,
    email text,
    tenant integer,
    CONSTRAINT accounts_email_key UNIQUE NULLS NOT DISTINCT (email)
);
CREATE UNIQUE INDEX accounts_tenant_idx ON v15.accounts (tenant) NULLS NOT DISTINCT;
CREATE TABLE v15.members (
    tenant integer,
    account_id integer,
    manager_id integer,
    PRIMARY KEY (tenant, account_id),
    FOREIGN KEY (tenant, manager_id) REFERENCES v15.members (tenant, account_id) ON DELETE SET NULL (manager_id)
);
CREATE UNLOGGED SEQUENCE v15.scratch_seq START WITH 7;
SELECT pg_catalog.nextval('v15.scratch_seq');
CREATE VIEW v15.accounts_invoker WITH (security_invoker = true) AS SELECT id, email FROM v15.accounts;
INSERT INTO v15.accounts VALUES (1, 'one@example.org', 1), (2, NULL, NULL);
INSERT INTO v15.members VALUES (1, 1, NULL), (1, 2, 1);
