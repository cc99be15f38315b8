-- Imports (导入): a spreadsheet of customers checked row by row as the API checks a create (a
-- dry run stops there), then created in batches, one transaction each. A row here is the run: who,
-- which file, how far it is (read while it runs, for the progress bar) and every refused row.

CREATE TABLE imports (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    dry_run BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    total INTEGER NOT NULL CHECK (total >= 0),
    valid INTEGER NOT NULL CHECK (valid >= 0),
    processed INTEGER NOT NULL DEFAULT 0 CHECK (processed >= 0),
    created INTEGER NOT NULL DEFAULT 0 CHECK (created >= 0),
    -- JSON: [{row, field, code, message}] and [header, …].
    errors TEXT NOT NULL,
    unknown_columns TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- Moved forward by every batch: a run not touched for minutes has lost its server.
    touched_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
-- Someone's imports, newest first.
CREATE INDEX imports_user ON imports (user_id, id);
