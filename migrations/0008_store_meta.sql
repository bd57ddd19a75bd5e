-- Which Stratum last wrote this store, so an older app that finds a newer store can name the
-- version to install instead of damaging it.
CREATE TABLE store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
