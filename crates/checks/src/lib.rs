//! Safety checks over revision SQL (being written).
