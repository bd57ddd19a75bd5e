-- revision: 004
-- down_revision: 003
-- branch_labels: reporting
-- message: reporting snapshots per client and period
-- created: 2025-03-03 08:30:00

-- migrate:up
-- The primary key (client_id, period) is also the index on the foreign key client_id.
CREATE TABLE report_snapshots (
    client_id BIGINT NOT NULL,
    period DATE NOT NULL,
    payload TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (client_id, period),
    CONSTRAINT fk_report_snapshots_client_id FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE RESTRICT
);

-- migrate:down
DROP TABLE report_snapshots;
