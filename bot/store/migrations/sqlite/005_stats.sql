-- /stats reads sums, not every graded answer: per UTC day (coverage over time, streaks) and per
-- question (per-topic counts and coverage). The tables are a cache of the attempts table that
-- SQLite itself keeps exact: triggers move each graded answer's share whenever an attempt is
-- graded, regraded, moved or deleted (forget-me), whoever wrote it. Reading them costs one
-- row per day or question, however many answers the user gave.
-- A weighted coverage (core key points count double) would be one more summed column in each.
CREATE TABLE score_days (
    user_id  INTEGER NOT NULL,
    day      TEXT    NOT NULL,   -- UTC date of graded_at, YYYY-MM-DD
    answers  INTEGER NOT NULL,   -- graded answers that day
    total    REAL    NOT NULL,   -- their coverage (score) summed
    first_at TEXT    NOT NULL,   -- graded_at of the day's first and last answer
    last_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, day)
) WITHOUT ROWID;

CREATE TABLE score_questions (
    user_id     INTEGER NOT NULL,
    question_id TEXT    NOT NULL,
    answers     INTEGER NOT NULL,
    total       REAL    NOT NULL,
    PRIMARY KEY (user_id, question_id)
) WITHOUT ROWID;

INSERT INTO score_days
    SELECT user_id, substr(graded_at, 1, 10), COUNT(*), SUM(score), MIN(graded_at), MAX(graded_at)
    FROM attempts WHERE score IS NOT NULL AND graded_at IS NOT NULL
    GROUP BY user_id, substr(graded_at, 1, 10);
INSERT INTO score_questions
    SELECT user_id, question_id, COUNT(*), SUM(score)
    FROM attempts WHERE score IS NOT NULL AND graded_at IS NOT NULL
    GROUP BY user_id, question_id;

-- An answer's share comes in: add it to its day and its question.
CREATE TRIGGER score_in AFTER INSERT ON attempts
    WHEN NEW.score IS NOT NULL AND NEW.graded_at IS NOT NULL
BEGIN
    INSERT INTO score_days VALUES
        (NEW.user_id, substr(NEW.graded_at, 1, 10), 1, NEW.score, NEW.graded_at, NEW.graded_at)
        ON CONFLICT (user_id, day) DO UPDATE SET
            answers = answers + 1, total = total + excluded.total,
            first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at);
    INSERT INTO score_questions VALUES (NEW.user_id, NEW.question_id, 1, NEW.score)
        ON CONFLICT (user_id, question_id) DO UPDATE SET
            answers = answers + 1, total = total + excluded.total;
END;

-- An answer's share goes out: subtract it, drop emptied rows, and find the day's first and
-- last answer again among those left (through the attempts_scores index: a few rows).
CREATE TRIGGER score_out AFTER DELETE ON attempts
    WHEN OLD.score IS NOT NULL AND OLD.graded_at IS NOT NULL
BEGIN
    UPDATE score_days SET answers = answers - 1, total = total - OLD.score
        WHERE user_id = OLD.user_id AND day = substr(OLD.graded_at, 1, 10);
    DELETE FROM score_days
        WHERE user_id = OLD.user_id AND day = substr(OLD.graded_at, 1, 10) AND answers <= 0;
    UPDATE score_days SET
        first_at = (SELECT MIN(graded_at) FROM attempts WHERE user_id = OLD.user_id
            AND score IS NOT NULL AND graded_at >= score_days.day
            AND graded_at < score_days.day || 'U'),  -- 'U' sorts after the 'T' of any time
        last_at = (SELECT MAX(graded_at) FROM attempts WHERE user_id = OLD.user_id
            AND score IS NOT NULL AND graded_at >= score_days.day
            AND graded_at < score_days.day || 'U')
        WHERE user_id = OLD.user_id AND day = substr(OLD.graded_at, 1, 10);
    UPDATE score_questions SET answers = answers - 1, total = total - OLD.score
        WHERE user_id = OLD.user_id AND question_id = OLD.question_id;
    DELETE FROM score_questions
        WHERE user_id = OLD.user_id AND question_id = OLD.question_id AND answers <= 0;
END;

-- A change to what the sums depend on (grading sets score and graded_at): the old share goes
-- out and the new one comes in, exactly as a delete and an insert would do.
CREATE TRIGGER score_changed AFTER UPDATE OF user_id, question_id, score, graded_at ON attempts
    WHEN OLD.user_id IS NOT NEW.user_id OR OLD.question_id IS NOT NEW.question_id
        OR OLD.score IS NOT NEW.score OR OLD.graded_at IS NOT NEW.graded_at
BEGIN
    UPDATE score_days SET answers = answers - 1, total = total - OLD.score
        WHERE user_id = OLD.user_id AND day = substr(OLD.graded_at, 1, 10)
        AND OLD.score IS NOT NULL;
    DELETE FROM score_days
        WHERE user_id = OLD.user_id AND day = substr(OLD.graded_at, 1, 10) AND answers <= 0;
    UPDATE score_days SET
        first_at = (SELECT MIN(graded_at) FROM attempts WHERE user_id = OLD.user_id
            AND score IS NOT NULL AND graded_at >= score_days.day
            AND graded_at < score_days.day || 'U'),
        last_at = (SELECT MAX(graded_at) FROM attempts WHERE user_id = OLD.user_id
            AND score IS NOT NULL AND graded_at >= score_days.day
            AND graded_at < score_days.day || 'U')
        WHERE user_id = OLD.user_id AND day = substr(OLD.graded_at, 1, 10)
        AND OLD.score IS NOT NULL;
    UPDATE score_questions SET answers = answers - 1, total = total - OLD.score
        WHERE user_id = OLD.user_id AND question_id = OLD.question_id AND OLD.score IS NOT NULL;
    DELETE FROM score_questions
        WHERE user_id = OLD.user_id AND question_id = OLD.question_id AND answers <= 0;
    INSERT INTO score_days SELECT
        NEW.user_id, substr(NEW.graded_at, 1, 10), 1, NEW.score, NEW.graded_at, NEW.graded_at
        WHERE NEW.score IS NOT NULL AND NEW.graded_at IS NOT NULL
        ON CONFLICT (user_id, day) DO UPDATE SET
            answers = answers + 1, total = total + excluded.total,
            first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at);
    INSERT INTO score_questions SELECT NEW.user_id, NEW.question_id, 1, NEW.score
        WHERE NEW.score IS NOT NULL AND NEW.graded_at IS NOT NULL
        ON CONFLICT (user_id, question_id) DO UPDATE SET
            answers = answers + 1, total = total + excluded.total;
END;
