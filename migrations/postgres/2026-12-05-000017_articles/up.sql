-- Knowledge (知识管理): articles of three kinds (knowledge base, FAQ, sales bulletins), who read
-- them, their "was this helpful" votes, and their search index.

CREATE TABLE articles (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('kb', 'faq', 'bulletin')),
    category_id BIGINT REFERENCES dictionary_items (id),
    -- For an FAQ the question; the body is its answer.
    title TEXT NOT NULL,
    -- Markdown; the server renders it to safe HTML on every read.
    body TEXT NOT NULL,
    -- Tags as a JSON array of strings.
    tags TEXT NOT NULL DEFAULT '[]',
    pinned BOOLEAN NOT NULL DEFAULT false,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    author_id BIGINT NOT NULL REFERENCES users (id),
    -- Distinct readers.
    read_count BIGINT NOT NULL DEFAULT 0,
    helpful BIGINT NOT NULL DEFAULT 0,
    unhelpful BIGINT NOT NULL DEFAULT 0,
    published_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
-- The knowledge centre: pinned first, then the newest, per kind and per category.
CREATE INDEX articles_list ON articles (pinned, id);
CREATE INDEX articles_kind ON articles (kind, pinned, id);
CREATE INDEX articles_category ON articles (category_id, pinned, id);
-- Today's bulletin strip: a kind's newest publications.
CREATE INDEX articles_published ON articles (kind, published_at);
CREATE INDEX articles_author ON articles (author_id, id);

CREATE TABLE article_reads (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    read_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, article_id)
);

CREATE TABLE article_votes (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    helpful BOOLEAN NOT NULL,
    voted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (article_id, user_id)
);

-- The bigram index of titles and bodies (crm-db's search module makes the codes); `in_title` ranks
-- a title's hits first.
CREATE TABLE article_grams (
    gram BIGINT NOT NULL,
    in_title BOOLEAN NOT NULL,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (gram, in_title, article_id)
);
CREATE INDEX article_grams_article ON article_grams (article_id);

-- Topics that knowledge is filed under, where an installation has the dictionary.
INSERT INTO dictionary_items (kind, name, name_en, sort_order, enabled, created_at, updated_at)
SELECT 'article_category', x.name, x.name_en, x.sort_order, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
FROM (SELECT '百度推广' AS name, 'Baidu promotion' AS name_en, 100 AS sort_order
      UNION ALL SELECT '销售技巧', 'Sales techniques', 101
      UNION ALL SELECT '产品知识', 'Product knowledge', 102
      UNION ALL SELECT '公司制度', 'Company policies', 103) x
WHERE EXISTS (SELECT 1 FROM dictionary_items WHERE kind = 'article_category')
  AND NOT EXISTS (SELECT 1 FROM dictionary_items d WHERE d.kind = 'article_category' AND d.name = x.name);

-- Everyone reads knowledge; managers and administrators write it.
INSERT INTO role_permissions (role_id, permission)
SELECT id, 'knowledge.read' FROM roles WHERE code IN ('administrator', 'finance')
  AND NOT EXISTS (SELECT 1 FROM role_permissions p WHERE p.role_id = roles.id AND p.permission = 'knowledge.read');
INSERT INTO role_permissions (role_id, permission)
SELECT id, 'knowledge.write' FROM roles WHERE code IN ('administrator', 'sales_director', 'sales_manager')
  AND NOT EXISTS (SELECT 1 FROM role_permissions p WHERE p.role_id = roles.id AND p.permission = 'knowledge.write');
