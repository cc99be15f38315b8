-- Documents (文档资料): files attached to one record (a customer, deal, order, ticket or article).
-- The bytes live outside the database in a content-addressed store (`<data>/documents/`, named by
-- their SHA-256, so the same file twice is stored once); a row here is the file's name, type, size
-- and the record it belongs to. A document is seen by who sees its record.

CREATE TABLE documents (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    -- As uploaded, for the download's name; never used as a path.
    file_name TEXT NOT NULL,
    -- Decided from the content, not from the name.
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    -- A small PNG of an image, in the same store.
    thumbnail_sha256 TEXT CHECK (length(thumbnail_sha256) = 64),
    customer_id BIGINT REFERENCES customers (id) ON DELETE CASCADE,
    opportunity_id BIGINT REFERENCES opportunities (id) ON DELETE CASCADE,
    order_id BIGINT REFERENCES orders (id) ON DELETE CASCADE,
    ticket_id BIGINT REFERENCES tickets (id) ON DELETE CASCADE,
    article_id BIGINT REFERENCES articles (id) ON DELETE CASCADE,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    -- Exactly one record.
    CHECK (
        (customer_id IS NOT NULL)::int + (opportunity_id IS NOT NULL)::int + (order_id IS NOT NULL)::int
        + (ticket_id IS NOT NULL)::int + (article_id IS NOT NULL)::int = 1
    )
);
-- A record's documents, newest first.
CREATE INDEX documents_customer ON documents (customer_id, id);
CREATE INDEX documents_opportunity ON documents (opportunity_id, id);
CREATE INDEX documents_order ON documents (order_id, id);
CREATE INDEX documents_ticket ON documents (ticket_id, id);
CREATE INDEX documents_article ON documents (article_id, id);
-- Whether a stored file is still needed (the store's sweep, backups).
CREATE INDEX documents_sha256 ON documents (sha256);
CREATE INDEX documents_thumbnail ON documents (thumbnail_sha256);
