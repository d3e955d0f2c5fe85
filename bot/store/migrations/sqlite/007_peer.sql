-- Peer mock interviews (issue #16): invites and the per-server queue, sessions as the state
-- machine's JSON (as rounds are), one seat per member while a session runs, and the feedback
-- each interviewer gave. Peer-graded answers live in attempts with source 'peer'.
ALTER TABLE users ADD COLUMN peer_invites INTEGER NOT NULL DEFAULT 1;  -- 0: refuses invites

-- An invite to one member (kind 'invite') or a place in a server's queue (kind 'queue').
CREATE TABLE peer_invites (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL,            -- invite | queue
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,            -- who invites, or who waits
    partner_id INTEGER,                     -- who is invited; NULL for a queue entry
    topics     TEXT    NOT NULL DEFAULT '', -- comma-separated topic ids; empty: all
    questions  INTEGER NOT NULL,
    minutes    REAL    NOT NULL,
    status     TEXT    NOT NULL,            -- open | accepted | declined | expired | ...
    message_id INTEGER,
    expires_at TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
-- One open invite or queue place per member, enforced by the database itself.
CREATE UNIQUE INDEX peer_invites_one_open ON peer_invites (user_id) WHERE status = 'open';
CREATE INDEX peer_invites_queue ON peer_invites (guild_id, kind, status);

CREATE TABLE peer_sessions (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    status     TEXT    NOT NULL,   -- active | done | ended
    state      TEXT    NOT NULL,
    next_timer TEXT,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE INDEX peer_sessions_active ON peer_sessions (status);

-- A member's seat while their session runs: one session per member at a time.
CREATE TABLE peer_seats (
    user_id    INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES peer_sessions (id) ON DELETE CASCADE
);

-- One row per half that got feedback; UNIQUE keeps a double submit from counting twice.
CREATE TABLE peer_feedback (
    id             INTEGER PRIMARY KEY,
    session_id     INTEGER NOT NULL,
    half           INTEGER NOT NULL,
    interviewer_id INTEGER NOT NULL,
    candidate_id   INTEGER NOT NULL,
    signal         TEXT    NOT NULL,   -- strong no | no | yes | strong yes
    well           TEXT    NOT NULL,
    improve        TEXT    NOT NULL,
    attempt_ids    TEXT    NOT NULL,   -- JSON list of the peer-graded attempts
    created_at     TEXT    NOT NULL,
    UNIQUE (session_id, half)
);
CREATE INDEX peer_feedback_by_candidate ON peer_feedback (candidate_id, created_at);
