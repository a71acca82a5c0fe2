"""Schema migrations: ``MIGRATIONS[n]`` takes a store from version ``n`` to ``n + 1``.

Append a new script to change the schema; never edit one that has shipped.
"""

MIGRATIONS: tuple[str, ...] = (
    # 1: articles, problems, relations, stories, findings.
    """
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        content_hash TEXT NOT NULL,
        site TEXT,
        outlet TEXT,
        date TEXT,
        data TEXT NOT NULL
    );
    CREATE INDEX articles_content_hash ON articles (content_hash);
    CREATE INDEX articles_site ON articles (site);
    CREATE TABLE problems (
        origin TEXT NOT NULL,
        stage TEXT NOT NULL,
        reason TEXT NOT NULL,
        UNIQUE (origin, stage, reason)
    );
    CREATE TABLE relations (
        original TEXT NOT NULL,
        derived TEXT NOT NULL,
        kind TEXT NOT NULL,
        score REAL NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (original, derived)
    );
    CREATE INDEX relations_derived ON relations (derived);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL
    );
    CREATE TABLE story_articles (
        story TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
        article TEXT NOT NULL PRIMARY KEY
    );
    CREATE INDEX story_articles_story ON story_articles (story);
    CREATE TABLE findings (
        article TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX findings_article ON findings (article)
    """,
    # 2: term tables (see store/terms.py) for the stories stage's signatures and the relate stage's
    # fingerprints: each article's entry, the number of entries holding each term, and a full-text index of
    # the terms (rowid: the entry's); and settings (the options each table's entries were made with).
    """
    CREATE TABLE story_entries (
        article TEXT PRIMARY KEY,
        day INTEGER,
        size INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX story_entries_day ON story_entries (day);
    CREATE TABLE story_terms (
        term TEXT PRIMARY KEY,
        articles INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE VIRTUAL TABLE story_index USING fts5 (
        terms, content='', tokenize="unicode61 remove_diacritics 0 tokenchars '#-.'''"
    );
    CREATE TABLE relate_entries (
        article TEXT PRIMARY KEY,
        day INTEGER,
        size INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX relate_entries_day ON relate_entries (day);
    CREATE TABLE relate_terms (
        term TEXT PRIMARY KEY,
        articles INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE VIRTUAL TABLE relate_index USING fts5 (
        terms, content='', tokenize="unicode61 remove_diacritics 0 tokenchars '#-.'''"
    );
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    # 3: which stages each article has been through (a bit per stage, in the order of ``base.STAGES``:
    # extract 1, relate 2, stories 4, checks 8, brief 16), stored briefs, and the hash of the raw input
    # each article came from (so that the same id arriving with other text is noticed). Articles of an
    # older store count as extracted only: which later stages ran on them was not recorded, so the next
    # run brings them up to date.
    """
    CREATE TABLE article_stages (
        seq INTEGER PRIMARY KEY,
        article TEXT NOT NULL UNIQUE,
        done INTEGER NOT NULL
    );
    INSERT INTO article_stages (seq, article, done) SELECT seq, id, 1 FROM articles;
    CREATE TABLE briefs (
        story TEXT PRIMARY KEY,
        data TEXT NOT NULL
    );
    ALTER TABLE articles ADD COLUMN raw_hash TEXT
    """,
    # 4: the watcher's state (see watch/state.py): its sources and their status, the article urls it has
    # seen (by url key), pages that failed, validators for conditional GETs, robots.txt files read,
    # responses not yet archived, archived pages not yet handed to the stages, and the archive's position.
    """
    CREATE TABLE watch_sources (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL
    );
    CREATE TABLE watch_seen (
        key TEXT PRIMARY KEY
    ) WITHOUT ROWID;
    CREATE TABLE watch_failures (
        key TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        reason TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        permanent INTEGER NOT NULL
    );
    CREATE TABLE watch_validators (
        key TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT
    );
    CREATE TABLE watch_robots (
        host TEXT PRIMARY KEY,
        status INTEGER NOT NULL,
        text TEXT NOT NULL,
        fetched_at REAL NOT NULL
    );
    CREATE TABLE watch_queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT,
        data TEXT NOT NULL,
        body BLOB NOT NULL
    );
    CREATE TABLE watch_pending (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT,
        path TEXT NOT NULL,
        offset INTEGER NOT NULL,
        record INTEGER NOT NULL
    );
    CREATE TABLE watch_archive (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        path TEXT NOT NULL,
        length INTEGER NOT NULL,
        records INTEGER NOT NULL
    )
    """,
    # 5: a full-text index of each article's title and text for ``articles.search`` (rowid: the article's
    # seq; filled when a search first needs it, so ingest pays nothing for it; words only, no positions),
    # and stories in the order ``stories.listed`` gives them (latest first).
    """
    CREATE VIRTUAL TABLE article_search USING fts5 (
        title, text, content='', detail=none, tokenize="unicode61 remove_diacritics 0"
    );
    CREATE INDEX stories_last_seen ON stories (COALESCE(json_extract(data, '$.last_seen'), ''), id)
    """,
)
