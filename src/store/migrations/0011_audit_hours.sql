-- Events per hour, counted as they are written, so the Reports chart over a month reads
-- some thousands of counts instead of millions of events (measured at 10M events: 4.8 s
-- p99 counting the events). One row per hour, action, outcome, the actor's organisation
-- ('' for none) and the client organisation of the case the event names (0 for none):
-- what a chart filters on, a client admin's scope included.
CREATE TABLE audit_hours (
    hour      INTEGER NOT NULL,
    action    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    actor_org TEXT NOT NULL,
    case_org  INTEGER NOT NULL,
    events    INTEGER NOT NULL,
    PRIMARY KEY (hour, action, outcome, actor_org, case_org)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER audit_hours_count AFTER INSERT ON audit
BEGIN
    INSERT INTO audit_hours (hour, action, outcome, actor_org, case_org, events)
    VALUES (NEW.at / 3600000 * 3600000, NEW.action, NEW.outcome, coalesce(NEW.actor_org, ''),
            coalesce((SELECT client_org_id FROM cases WHERE reference = NEW.target_label), 0),
            1)
    ON CONFLICT DO UPDATE SET events = events + 1;
END;

-- The events written before the counts were kept.
INSERT INTO audit_hours (hour, action, outcome, actor_org, case_org, events)
SELECT at / 3600000 * 3600000 AS h, action, outcome, coalesce(actor_org, '') AS o,
       coalesce(c.client_org_id, 0) AS co, count(*)
FROM audit LEFT JOIN cases c ON c.reference = audit.target_label
GROUP BY h, action, outcome, o, co;
