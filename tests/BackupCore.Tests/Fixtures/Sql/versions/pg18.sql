-- What PostgreSQL 18 added that the catalog sources read: NOT NULL constraints as named pg_constraint rows (also
-- NO INHERIT, NOT VALID over existing NULLs, inherited, commented), virtual generated columns, NOT ENFORCED CHECK
-- and foreign keys, WITHOUT OVERLAPS keys and PERIOD foreign keys. Loaded into servers of 18.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
CREATE SCHEMA v18;
CREATE TABLE v18.parent (
    id integer CONSTRAINT parent_id_required NOT NULL,
    note text CONSTRAINT note_required NOT NULL,
    val integer,
    flag boolean NOT NULL,
    local_only integer CONSTRAINT local_only_nn NOT NULL NO INHERIT,
    doubled integer GENERATED ALWAYS AS (id * 2) VIRTUAL,
    tripled integer GENERATED ALWAYS AS (id * 3) STORED,
    label text GENERATED ALWAYS AS ('k' || 'v'),
    CONSTRAINT parent_val_positive CHECK (val > 0) NOT ENFORCED,
    CONSTRAINT parent_pkey PRIMARY KEY (id)
);
INSERT INTO v18.parent (id, note, val, flag, local_only) VALUES (1, 'a', NULL, true, 1), (2, 'b', -5, false, 2);
ALTER TABLE v18.parent ADD CONSTRAINT val_nn NOT NULL val NOT VALID;
COMMENT ON CONSTRAINT note_required ON v18.parent IS 'every row has a note';
COMMENT ON CONSTRAINT parent_flag_not_null ON v18.parent IS 'default name, with a comment';
COMMENT ON CONSTRAINT val_nn ON v18.parent IS 'not valid yet';
CREATE TABLE v18.child (extra text CONSTRAINT extra_required NOT NULL, maybe integer) INHERITS (v18.parent);
ALTER TABLE v18.child ALTER COLUMN val SET NOT NULL;
INSERT INTO v18.child (id, note, val, flag, local_only, extra) VALUES (3, 'c', 3, true, NULL, 'e');

CREATE TABLE v18.measures (
    id integer CONSTRAINT measures_id_nn NOT NULL,
    at date NOT NULL,
    plus_one integer GENERATED ALWAYS AS (id + 1) VIRTUAL
) PARTITION BY RANGE (at);
CREATE TABLE v18.measures_2026 PARTITION OF v18.measures FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO v18.measures (id, at) VALUES (1, '2026-05-05');

CREATE TABLE v18.rooms (
    room integer,
    during daterange,
    CONSTRAINT rooms_pkey PRIMARY KEY (room, during WITHOUT OVERLAPS)
);
CREATE TABLE v18.bookings (
    id integer PRIMARY KEY,
    room integer,
    during daterange,
    CONSTRAINT bookings_room_fkey FOREIGN KEY (room, PERIOD during) REFERENCES v18.rooms (room, PERIOD during),
    CONSTRAINT bookings_unique UNIQUE (room, during WITHOUT OVERLAPS)
);
INSERT INTO v18.rooms VALUES (1, '[2026-01-01,2026-02-01)'), (1, '[2026-02-01,2026-03-01)');
INSERT INTO v18.bookings VALUES (1, 1, '[2026-01-05,2026-01-10)'), (2, 1, '[2026-01-25,2026-02-05)');

CREATE TABLE v18.loose (
    id integer PRIMARY KEY,
    parent_id integer,
    CONSTRAINT loose_parent_fkey FOREIGN KEY (parent_id) REFERENCES v18.parent (id) NOT ENFORCED
);
INSERT INTO v18.loose VALUES (1, 1), (2, 999);
