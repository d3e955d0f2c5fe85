-- Daily questions: one schedule per channel, and one row per (channel, local date) post.
CREATE TABLE schedules (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL UNIQUE,
    post_time    TEXT    NOT NULL,          -- HH:MM, local to timezone
    timezone     TEXT    NOT NULL,          -- IANA name
    topics       TEXT    NOT NULL DEFAULT '', -- comma-separated topic ids; empty: all
    role_id      INTEGER,
    use_thread   INTEGER NOT NULL DEFAULT 1,
    paused       INTEGER NOT NULL DEFAULT 0,
    pause_reason TEXT,
    created_by   INTEGER NOT NULL,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX schedules_by_guild ON schedules (guild_id);

-- The claim on a day's post is written before the message is sent, so a crash can never
-- produce a second post: UNIQUE (channel_id, local_date, kind) is the exactly-once guarantee.
CREATE TABLE daily_posts (
    id          INTEGER PRIMARY KEY,
    schedule_id INTEGER REFERENCES schedules (id) ON DELETE SET NULL,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    local_date  TEXT    NOT NULL,
    kind        TEXT    NOT NULL DEFAULT 'daily',   -- daily | preview
    question_id TEXT    NOT NULL,
    status      TEXT    NOT NULL,                   -- claimed | posted | failed
    tries       INTEGER NOT NULL DEFAULT 0,
    retry_at    TEXT,
    message_id  INTEGER,
    thread_id   INTEGER,
    claimed_at  TEXT    NOT NULL,
    posted_at   TEXT,
    reveal_at   TEXT,
    revealed_at TEXT,
    UNIQUE (channel_id, local_date, kind)
);
CREATE INDEX daily_posts_by_status ON daily_posts (status, retry_at);
CREATE INDEX daily_posts_reveal ON daily_posts (revealed_at, reveal_at);
CREATE INDEX daily_posts_by_channel ON daily_posts (channel_id, question_id);
