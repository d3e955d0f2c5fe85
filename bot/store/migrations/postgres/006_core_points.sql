-- Core key points count double (issue #14), as SQLite's 006: each graded answer keeps which
-- points were core, and the /stats sums add the weighted share and the core points.
ALTER TABLE attempts ADD COLUMN core TEXT COLLATE "C";
ALTER TABLE attempts ADD COLUMN weighted DOUBLE PRECISION;
ALTER TABLE attempts ADD COLUMN core_covered INTEGER;
ALTER TABLE attempts ADD COLUMN core_total INTEGER;
UPDATE attempts SET weighted = score WHERE score IS NOT NULL;

ALTER TABLE score_days ADD COLUMN weighted DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE score_questions ADD COLUMN weighted DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE score_questions ADD COLUMN core_covered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE score_questions ADD COLUMN core_total INTEGER NOT NULL DEFAULT 0;
UPDATE score_days SET weighted = total;
UPDATE score_questions SET weighted = total;

CREATE OR REPLACE FUNCTION score_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.score IS NOT NULL AND OLD.graded_at IS NOT NULL THEN
        UPDATE score_days SET answers = answers - 1, total = total - OLD.score,
            weighted = weighted - COALESCE(OLD.weighted, OLD.score)
            WHERE user_id = OLD.user_id AND day = substr(OLD.graded_at, 1, 10);
        DELETE FROM score_days
            WHERE user_id = OLD.user_id AND day = substr(OLD.graded_at, 1, 10) AND answers <= 0;
        UPDATE score_days SET
            first_at = COALESCE((SELECT MIN(graded_at) FROM attempts WHERE user_id = OLD.user_id
                AND score IS NOT NULL AND graded_at >= score_days.day
                AND graded_at < score_days.day || 'U'), first_at),
            last_at = COALESCE((SELECT MAX(graded_at) FROM attempts WHERE user_id = OLD.user_id
                AND score IS NOT NULL AND graded_at >= score_days.day
                AND graded_at < score_days.day || 'U'), last_at)
            WHERE user_id = OLD.user_id AND day = substr(OLD.graded_at, 1, 10);
        UPDATE score_questions SET answers = answers - 1, total = total - OLD.score,
            weighted = weighted - COALESCE(OLD.weighted, OLD.score),
            core_covered = core_covered - COALESCE(OLD.core_covered, 0),
            core_total = core_total - COALESCE(OLD.core_total, 0)
            WHERE user_id = OLD.user_id AND question_id = OLD.question_id;
        DELETE FROM score_questions
            WHERE user_id = OLD.user_id AND question_id = OLD.question_id AND answers <= 0;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.score IS NOT NULL AND NEW.graded_at IS NOT NULL THEN
        INSERT INTO score_days AS d (user_id, day, answers, total, first_at, last_at, weighted)
            VALUES (NEW.user_id, substr(NEW.graded_at, 1, 10), 1, NEW.score, NEW.graded_at,
                    NEW.graded_at, COALESCE(NEW.weighted, NEW.score))
            ON CONFLICT (user_id, day) DO UPDATE SET
                answers = d.answers + 1, total = d.total + EXCLUDED.total,
                weighted = d.weighted + EXCLUDED.weighted,
                first_at = LEAST(d.first_at, EXCLUDED.first_at),
                last_at = GREATEST(d.last_at, EXCLUDED.last_at);
        INSERT INTO score_questions AS q
            (user_id, question_id, answers, total, weighted, core_covered, core_total)
            VALUES (NEW.user_id, NEW.question_id, 1, NEW.score, COALESCE(NEW.weighted, NEW.score),
                    COALESCE(NEW.core_covered, 0), COALESCE(NEW.core_total, 0))
            ON CONFLICT (user_id, question_id) DO UPDATE SET
                answers = q.answers + 1, total = q.total + EXCLUDED.total,
                weighted = q.weighted + EXCLUDED.weighted,
                core_covered = q.core_covered + EXCLUDED.core_covered,
                core_total = q.core_total + EXCLUDED.core_total;
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER score_changed ON attempts;
CREATE TRIGGER score_changed AFTER UPDATE OF
        user_id, question_id, score, graded_at, weighted, core_covered, core_total ON attempts
    FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id
        OR OLD.question_id IS DISTINCT FROM NEW.question_id
        OR OLD.score IS DISTINCT FROM NEW.score OR OLD.graded_at IS DISTINCT FROM NEW.graded_at
        OR OLD.weighted IS DISTINCT FROM NEW.weighted
        OR OLD.core_covered IS DISTINCT FROM NEW.core_covered
        OR OLD.core_total IS DISTINCT FROM NEW.core_total)
    EXECUTE FUNCTION score_sums();
