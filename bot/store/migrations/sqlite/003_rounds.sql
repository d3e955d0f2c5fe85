-- Mock rounds: the whole state machine as JSON, saved after every transition. next_timer is
-- when the round needs attention by itself (a warning or time's up), so timers can be
-- recomputed after a restart.
CREATE TABLE rounds (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    status     TEXT    NOT NULL,      -- active | done | stopped | abandoned
    state      TEXT    NOT NULL,
    next_timer TEXT,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
-- One active round per user, enforced by the database itself.
CREATE UNIQUE INDEX rounds_one_active ON rounds (user_id) WHERE status = 'active';
CREATE INDEX rounds_by_user ON rounds (user_id, created_at);
