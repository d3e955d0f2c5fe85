-- Core: key/value facts about the installation, users, and attempts at questions.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    user_id          INTEGER PRIMARY KEY,
    timezone         TEXT,
    leaderboard      INTEGER NOT NULL DEFAULT 0,
    share_stats      INTEGER NOT NULL DEFAULT 0,
    dms_closed_until TEXT
);

-- One row per answer (graded or not yet) and per reveal. covered is a JSON list of key-point
-- indexes, NULL until the user grades. probe is NULL for the main question.
CREATE TABLE attempts (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    guild_id    INTEGER,
    channel_id  INTEGER,
    question_id TEXT    NOT NULL,
    probe       INTEGER,
    source      TEXT    NOT NULL,
    answer      TEXT    NOT NULL DEFAULT '',
    covered     TEXT,
    total       INTEGER NOT NULL,
    rating      TEXT,
    revealed    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL,
    graded_at   TEXT
);
CREATE INDEX attempts_by_user ON attempts (user_id, created_at);
CREATE INDEX attempts_by_guild ON attempts (guild_id, graded_at);
