-- Core key points count double in every score (issue #14). Each graded answer keeps which of
-- its points were core when it was graded, so it scores the same however the bank changes
-- later. Answers graded before this migration have no marks (core IS NULL): every point of
-- theirs weighs the same, so their weighted share is their plain one.
ALTER TABLE attempts ADD COLUMN core TEXT;             -- JSON list of core indexes at grading
ALTER TABLE attempts ADD COLUMN weighted REAL;         -- weighted share once graded (0-1)
ALTER TABLE attempts ADD COLUMN core_covered INTEGER;  -- core points ticked; NULL without marks
ALTER TABLE attempts ADD COLUMN core_total INTEGER;    -- core points asked; NULL without marks
UPDATE attempts SET weighted = score WHERE score IS NOT NULL;

-- The /stats sums of migration 005 sum the weighted share too, and per question the core
-- points covered and asked. A row written without a weighted share (a restore from an older
-- release) counts its plain score, as an answer graded before 006 does.
ALTER TABLE score_days ADD COLUMN weighted REAL NOT NULL DEFAULT 0;
ALTER TABLE score_questions ADD COLUMN weighted REAL NOT NULL DEFAULT 0;
ALTER TABLE score_questions ADD COLUMN core_covered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE score_questions ADD COLUMN core_total INTEGER NOT NULL DEFAULT 0;
UPDATE score_days SET weighted = total;
UPDATE score_questions SET weighted = total;

DROP TRIGGER score_in;
DROP TRIGGER score_out;
DROP TRIGGER score_changed;

-- As in 005, with the new sums: an answer's share comes in.
CREATE TRIGGER score_in AFTER INSERT ON attempts
    WHEN NEW.score IS NOT NULL AND NEW.graded_at IS NOT NULL
BEGIN
    INSERT INTO score_days (user_id, day, answers, total, first_at, last_at, weighted) VALUES
        (NEW.user_id, substr(NEW.graded_at, 1, 10), 1, NEW.score, NEW.graded_at, NEW.graded_at,
         COALESCE(NEW.weighted, NEW.score))
        ON CONFLICT (user_id, day) DO UPDATE SET
            answers = answers + 1, total = total + excluded.total,
            weighted = weighted + excluded.weighted,
            first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at);
    INSERT INTO score_questions
        (user_id, question_id, answers, total, weighted, core_covered, core_total) VALUES
        (NEW.user_id, NEW.question_id, 1, NEW.score, COALESCE(NEW.weighted, NEW.score),
         COALESCE(NEW.core_covered, 0), COALESCE(NEW.core_total, 0))
        ON CONFLICT (user_id, question_id) DO UPDATE SET
            answers = answers + 1, total = total + excluded.total,
            weighted = weighted + excluded.weighted,
            core_covered = core_covered + excluded.core_covered,
            core_total = core_total + excluded.core_total;
END;

-- An answer's share goes out (as in 005, with the new sums).
CREATE TRIGGER score_out AFTER DELETE ON attempts
    WHEN OLD.score IS NOT NULL AND OLD.graded_at IS NOT NULL
BEGIN
    UPDATE score_days SET answers = answers - 1, total = total - OLD.score,
        weighted = weighted - COALESCE(OLD.weighted, OLD.score)
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
    UPDATE score_questions SET answers = answers - 1, total = total - OLD.score,
        weighted = weighted - COALESCE(OLD.weighted, OLD.score),
        core_covered = core_covered - COALESCE(OLD.core_covered, 0),
        core_total = core_total - COALESCE(OLD.core_total, 0)
        WHERE user_id = OLD.user_id AND question_id = OLD.question_id;
    DELETE FROM score_questions
        WHERE user_id = OLD.user_id AND question_id = OLD.question_id AND answers <= 0;
END;

-- A change to anything the sums depend on: the old share goes out and the new one comes in.
CREATE TRIGGER score_changed AFTER UPDATE OF
        user_id, question_id, score, graded_at, weighted, core_covered, core_total ON attempts
    WHEN OLD.user_id IS NOT NEW.user_id OR OLD.question_id IS NOT NEW.question_id
        OR OLD.score IS NOT NEW.score OR OLD.graded_at IS NOT NEW.graded_at
        OR OLD.weighted IS NOT NEW.weighted OR OLD.core_covered IS NOT NEW.core_covered
        OR OLD.core_total IS NOT NEW.core_total
BEGIN
    UPDATE score_days SET answers = answers - 1, total = total - OLD.score,
        weighted = weighted - COALESCE(OLD.weighted, OLD.score)
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
    UPDATE score_questions SET answers = answers - 1, total = total - OLD.score,
        weighted = weighted - COALESCE(OLD.weighted, OLD.score),
        core_covered = core_covered - COALESCE(OLD.core_covered, 0),
        core_total = core_total - COALESCE(OLD.core_total, 0)
        WHERE user_id = OLD.user_id AND question_id = OLD.question_id AND OLD.score IS NOT NULL;
    DELETE FROM score_questions
        WHERE user_id = OLD.user_id AND question_id = OLD.question_id AND answers <= 0;
    INSERT INTO score_days (user_id, day, answers, total, first_at, last_at, weighted) SELECT
        NEW.user_id, substr(NEW.graded_at, 1, 10), 1, NEW.score, NEW.graded_at, NEW.graded_at,
        COALESCE(NEW.weighted, NEW.score)
        WHERE NEW.score IS NOT NULL AND NEW.graded_at IS NOT NULL
        ON CONFLICT (user_id, day) DO UPDATE SET
            answers = answers + 1, total = total + excluded.total,
            weighted = weighted + excluded.weighted,
            first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at);
    INSERT INTO score_questions
        (user_id, question_id, answers, total, weighted, core_covered, core_total) SELECT
        NEW.user_id, NEW.question_id, 1, NEW.score, COALESCE(NEW.weighted, NEW.score),
        COALESCE(NEW.core_covered, 0), COALESCE(NEW.core_total, 0)
        WHERE NEW.score IS NOT NULL AND NEW.graded_at IS NOT NULL
        ON CONFLICT (user_id, question_id) DO UPDATE SET
            answers = answers + 1, total = total + excluded.total,
            weighted = weighted + excluded.weighted,
            core_covered = core_covered + excluded.core_covered,
            core_total = core_total + excluded.core_total;
END;
