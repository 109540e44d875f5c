//! The schema, as a list of migrations applied in order. `PRAGMA user_version` records how
//! many have run, so opening an up-to-date store costs one pragma read.

/// Each entry upgrades the schema by one version; never edit one that has shipped.
pub const MIGRATIONS: &[&str] = &[
    // 1: the job queue (SPIP's spip_jobs and spip_jobs_liens, with a real running state).
    r#"
    CREATE TABLE jobs (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        function      TEXT    NOT NULL,
        args          TEXT    NOT NULL DEFAULT '[]',
        description   TEXT    NOT NULL DEFAULT '',
        file          TEXT    NOT NULL DEFAULT '',
        priority      INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN -10 AND 10),
        due_at        INTEGER NOT NULL,
        status        TEXT    NOT NULL DEFAULT 'queued'
                              CHECK (status IN ('queued', 'running', 'done', 'dead')),
        dedup_key     TEXT,
        attempt       INTEGER NOT NULL DEFAULT 0,
        failures      INTEGER NOT NULL DEFAULT 0,
        max_attempts  INTEGER,
        timeout_ms    INTEGER,
        created_at    INTEGER NOT NULL,
        started_at    INTEGER,
        finished_at   INTEGER,
        worker_pid    INTEGER,
        worker_start  INTEGER,
        exit_code     INTEGER,
        last_error    TEXT
    );
    CREATE INDEX jobs_ready ON jobs (priority DESC, due_at, id) WHERE status = 'queued';
    CREATE INDEX jobs_due ON jobs (due_at) WHERE status = 'queued';
    CREATE INDEX jobs_queued_function ON jobs (function) WHERE status = 'queued';
    CREATE INDEX jobs_running ON jobs (worker_pid, worker_start) WHERE status = 'running';
    CREATE INDEX jobs_retrying ON jobs (due_at) WHERE status = 'queued' AND attempt > 0;
    CREATE UNIQUE INDEX jobs_dedup ON jobs (dedup_key) WHERE status = 'queued' AND dedup_key IS NOT NULL;
    CREATE TABLE job_links (
        job_id    INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        object    TEXT    NOT NULL,
        object_id TEXT    NOT NULL,
        PRIMARY KEY (object, object_id, job_id)
    ) WITHOUT ROWID;
    CREATE INDEX job_links_job ON job_links (job_id);
    "#,
    // 2: long-lived tasks' run state (their definitions are files in tasks.d).
    r#"
    CREATE TABLE tasks (
        name          TEXT    PRIMARY KEY,
        desired       TEXT    CHECK (desired IN ('started', 'stopped')), -- NULL: never set by an admin
        restart       INTEGER NOT NULL DEFAULT 0,
        state         TEXT    NOT NULL DEFAULT 'stopped'
                              CHECK (state IN ('stopped', 'starting', 'started', 'stopping', 'crashed')),
        pid           INTEGER,
        started_at    INTEGER,
        last_pass_at  INTEGER,
        last_pass_error TEXT,
        passes        INTEGER NOT NULL DEFAULT 0,
        last_exit     TEXT,
        crashes       INTEGER NOT NULL DEFAULT 0,
        updated_at    INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    "#,
    // 3: where a claim was made (pid namespace and boot), so a worker in another container
    // sharing the data dir is never judged dead from here.
    r#"
    ALTER TABLE jobs ADD COLUMN worker_host TEXT;
    "#,
    // 4: the databox: collections, records (documents and stories), field and technical
    // values, sub-definitions, and the hot-folder moves still to do after a commit.
    r#"
    CREATE TABLE collections (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        name     TEXT    NOT NULL UNIQUE,
        coll_id  INTEGER UNIQUE,
        retired  INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE records (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        collection    INTEGER NOT NULL REFERENCES collections (id),
        kind          TEXT    NOT NULL CHECK (kind IN ('document', 'story')),
        original_name TEXT    NOT NULL DEFAULT '',
        stored_path   TEXT,
        sha256        TEXT,
        mime          TEXT,
        size          INTEGER,
        width         INTEGER,
        height        INTEGER,
        status        INTEGER NOT NULL DEFAULT 0,
        pending       INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
    );
    CREATE INDEX records_collection ON records (collection, id);
    CREATE INDEX records_sha ON records (collection, sha256) WHERE sha256 IS NOT NULL;
    CREATE INDEX records_pending ON records (pending) WHERE pending != 0;
    CREATE TABLE record_fields (
        record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        field     TEXT    NOT NULL,
        ord       INTEGER NOT NULL,
        value     TEXT    NOT NULL,
        PRIMARY KEY (record_id, field, ord)
    ) WITHOUT ROWID;
    CREATE INDEX record_fields_value ON record_fields (field, value);
    CREATE TABLE record_technical (
        record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        name      TEXT    NOT NULL,
        value     TEXT    NOT NULL,
        PRIMARY KEY (record_id, name)
    ) WITHOUT ROWID;
    CREATE TABLE story_members (
        story_id  INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        PRIMARY KEY (story_id, record_id)
    ) WITHOUT ROWID;
    CREATE INDEX story_members_record ON story_members (record_id);
    CREATE TABLE subdefs (
        record_id  INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        name       TEXT    NOT NULL,
        path       TEXT,
        mime       TEXT,
        size       INTEGER,
        width      INTEGER,
        height     INTEGER,
        state      TEXT    NOT NULL DEFAULT 'missing' CHECK (state IN ('missing', 'done', 'failed')),
        reason     TEXT,
        attempts   INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (record_id, name)
    ) WITHOUT ROWID;
    CREATE TABLE archive_moves (
        id         INTEGER PRIMARY KEY,
        record_id  INTEGER,
        source     BLOB    NOT NULL, -- paths as bytes: a file name need not be UTF-8
        target     BLOB,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE archive_failures (
        path       BLOB    PRIMARY KEY,
        size       INTEGER NOT NULL,
        mtime_ns   INTEGER NOT NULL,
        reason     TEXT    NOT NULL,
        failed_at  INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 5: the full-text index of records' fields (phr-index, phr-record search): one row per
    // record (rowid = record id), `body` with every value as written and `tagged` with each
    // word prefixed by its field (`titleǂforet`), so `Title:foret` is one token lookup whatever
    // fields the config declares. Contentless: the text is in record_fields already. Accents
    // and case fold (unicode61 remove_diacritics 2). A removed record leaves the index in the
    // removal's own transaction, whoever removes it.
    r#"
    CREATE VIRTUAL TABLE record_search USING fts5(
        body, tagged,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER records_leave_search AFTER DELETE ON records BEGIN
        DELETE FROM record_search WHERE rowid = old.id;
    END;
    "#,
    // 6: why a record's metadata could not be written back into its files (`phr-meta write`),
    // and how many times it failed, so it is retried with backoff up to a limit and
    // `phr-record show` says why it stays marked. A successful write removes the row.
    r#"
    CREATE TABLE meta_write_failures (
        record_id INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
        reason    TEXT    NOT NULL,
        attempts  INTEGER NOT NULL,
        failed_at INTEGER NOT NULL
    );
    "#,
    // 7: records newest first, the order of a search by dates alone: a wide range walks this
    // index and stops at the first N that match instead of sorting every record in range.
    r#"
    CREATE INDEX records_created ON records (created_at, id);
    "#,
    // 8: each indexed record's length in tokens, 4,096 records to a row (little-endian u16),
    // read whole by a search so bm25 needs no per-match lookup (see `rank.rs`). Records
    // indexed before are marked for indexing again, which stores their lengths; until then
    // their lengths are looked up as before.
    r#"
    CREATE TABLE record_lengths (
        page    INTEGER PRIMARY KEY,
        lengths BLOB    NOT NULL
    );
    UPDATE records SET pending = pending | 4 WHERE id IN (SELECT rowid FROM record_search);
    "#,
];
