-- Learning that compounds: one FSRS card per (user, question), coverage kept as a number for
-- fast stats, and the bot's own uptime so its downtime never breaks a user's streak.
CREATE TABLE cards (
    user_id          INTEGER NOT NULL,
    question_id      TEXT    NOT NULL,
    card             TEXT    NOT NULL,   -- fsrs Card JSON after the last review
    previous         TEXT,               -- the card before it, so a changed rating can redo it
    last_attempt_id  INTEGER,
    due              TEXT    NOT NULL,
    PRIMARY KEY (user_id, question_id)
);
CREATE INDEX cards_due ON cards (user_id, due);

ALTER TABLE attempts ADD COLUMN score REAL;   -- covered / total once graded
UPDATE attempts SET score = CAST(json_array_length(covered) AS REAL) / total
    WHERE covered IS NOT NULL AND total > 0;
CREATE INDEX attempts_scores ON attempts (user_id, graded_at) WHERE score IS NOT NULL;

CREATE TABLE uptime (
    id         INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL
);
