-- Community questions (issue 17): members suggest, moderators approve, servers upload packs.
-- The database is the truth for a server's pack; the bot holds a checked copy in memory.

-- A server's own settings: where suggestions are reviewed, which bundled topics are off.
CREATE TABLE pack_servers (
    guild_id INTEGER PRIMARY KEY,
    review_channel_id INTEGER,
    topics_off TEXT NOT NULL DEFAULT '',  -- comma-separated bundled topic ids
    updated_at TEXT NOT NULL,
    -- One more at every change of the server's pack or switches: each process compares it
    -- with the copy it holds and reads the pack again when it moved (several processes).
    version INTEGER NOT NULL DEFAULT 0
);

-- A server's questions. question_id is namespaced ('g<guild>/<id>') so it never equals a
-- bundled id; attempts, cards and daily posts refer to it. A removed question keeps its row
-- (removed_at set), so past answers still read, and its id is never given to another.
CREATE TABLE pack_questions (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    question_id TEXT NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,          -- the question in the bank's YAML format, checked again at load
    origin TEXT NOT NULL,        -- 'suggestion' or 'upload'
    added_by INTEGER NOT NULL,   -- 0 once that user asked to be forgotten
    added_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX pack_questions_guild ON pack_questions (guild_id);

-- Members' suggestions and what became of them. A draft failed the checks (its author can fix
-- it); pending ones wait in the review channel; approved ones name the question they became.
CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    body TEXT NOT NULL,          -- the suggested question in the bank's YAML format
    status TEXT NOT NULL,        -- 'draft', 'pending', 'approved' or 'rejected'
    reason TEXT,                 -- a rejection's reason
    channel_id INTEGER,          -- its review message
    message_id INTEGER,
    question_id TEXT,
    decided_by INTEGER,
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX suggestions_author ON suggestions (guild_id, author_id, created_at);

-- An uploaded pack file between its preview and the moderator's confirmation, so the
-- confirmation survives a restart; the file itself is checked again when it is confirmed.
CREATE TABLE pack_uploads (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    filename TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,        -- 'pending', 'stored' or 'cancelled'
    created_at TEXT NOT NULL,
    decided_at TEXT
);
