-- /stats reads sums, as SQLite's 005: per UTC day and per question, kept exact by triggers
-- on attempts whoever writes them. One PL/pgSQL function moves a row's share out (OLD) and
-- in (NEW); three triggers call it, the update one only when a column the sums use changed.
-- Unlike SQLite's, PostgreSQL's row triggers run after the whole statement: a DELETE of many
-- rows shows the first call a table those rows have already left, so a day's first and last
-- answer are found among the rows that stay, and kept as they were while none is left (the
-- row goes once its count reaches 0, a few calls later).
CREATE TABLE score_days (
    user_id  BIGINT           NOT NULL,
    day      TEXT COLLATE "C"             NOT NULL,
    answers  INTEGER          NOT NULL,
    total    DOUBLE PRECISION NOT NULL,
    first_at TEXT COLLATE "C"             NOT NULL,
    last_at  TEXT COLLATE "C"             NOT NULL,
    PRIMARY KEY (user_id, day)
);

CREATE TABLE score_questions (
    user_id     BIGINT           NOT NULL,
    question_id TEXT COLLATE "C"             NOT NULL,
    answers     INTEGER          NOT NULL,
    total       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (user_id, question_id)
);

INSERT INTO score_days
    SELECT user_id, substr(graded_at, 1, 10), COUNT(*), SUM(score), MIN(graded_at), MAX(graded_at)
    FROM attempts WHERE score IS NOT NULL AND graded_at IS NOT NULL
    GROUP BY user_id, substr(graded_at, 1, 10);
INSERT INTO score_questions
    SELECT user_id, question_id, COUNT(*), SUM(score)
    FROM attempts WHERE score IS NOT NULL AND graded_at IS NOT NULL
    GROUP BY user_id, question_id;

CREATE FUNCTION score_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.score IS NOT NULL AND OLD.graded_at IS NOT NULL THEN
        UPDATE score_days SET answers = answers - 1, total = total - OLD.score
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
        UPDATE score_questions SET answers = answers - 1, total = total - OLD.score
            WHERE user_id = OLD.user_id AND question_id = OLD.question_id;
        DELETE FROM score_questions
            WHERE user_id = OLD.user_id AND question_id = OLD.question_id AND answers <= 0;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.score IS NOT NULL AND NEW.graded_at IS NOT NULL THEN
        INSERT INTO score_days AS d VALUES
            (NEW.user_id, substr(NEW.graded_at, 1, 10), 1, NEW.score, NEW.graded_at, NEW.graded_at)
            ON CONFLICT (user_id, day) DO UPDATE SET
                answers = d.answers + 1, total = d.total + EXCLUDED.total,
                first_at = LEAST(d.first_at, EXCLUDED.first_at),
                last_at = GREATEST(d.last_at, EXCLUDED.last_at);
        INSERT INTO score_questions AS q VALUES (NEW.user_id, NEW.question_id, 1, NEW.score)
            ON CONFLICT (user_id, question_id) DO UPDATE SET
                answers = q.answers + 1, total = q.total + EXCLUDED.total;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER score_in AFTER INSERT ON attempts
    FOR EACH ROW EXECUTE FUNCTION score_sums();
CREATE TRIGGER score_out AFTER DELETE ON attempts
    FOR EACH ROW EXECUTE FUNCTION score_sums();
CREATE TRIGGER score_changed AFTER UPDATE OF user_id, question_id, score, graded_at ON attempts
    FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id
        OR OLD.question_id IS DISTINCT FROM NEW.question_id
        OR OLD.score IS DISTINCT FROM NEW.score OR OLD.graded_at IS DISTINCT FROM NEW.graded_at)
    EXECUTE FUNCTION score_sums();
