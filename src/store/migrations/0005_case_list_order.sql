-- The case list pages by key (never OFFSET) in three orders — due date (none last),
-- last change, reference — over all cases and one client's, and by due date over one
-- caseworker's and one status. Each index below serves one of those lists in order, so
-- the first page reads 50 index entries whatever the table's size (a caseworker's few
-- hundred cases are sorted in other orders). `coalesce(due_date, '~')` is the list's due
-- key: '~' sorts after every date, so cases without one come last.
DROP INDEX cases_client_due;
DROP INDEX cases_assignee_due;
DROP INDEX cases_due;
DROP INDEX cases_updated;
DROP INDEX cases_status;
CREATE INDEX cases_by_due ON cases (coalesce(due_date, '~'), id);
CREATE INDEX cases_by_updated ON cases (updated_at, id);
CREATE INDEX cases_client_by_due ON cases (client_org_id, coalesce(due_date, '~'), id);
CREATE INDEX cases_client_by_updated ON cases (client_org_id, updated_at, id);
CREATE INDEX cases_client_by_reference ON cases (client_org_id, reference);
CREATE INDEX cases_assignee_by_due ON cases (assigned_to, coalesce(due_date, '~'), id);
CREATE INDEX cases_status_by_due ON cases (status, coalesce(due_date, '~'), id);
