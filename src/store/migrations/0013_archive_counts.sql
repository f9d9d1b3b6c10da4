-- The Archive's counts at a glance read this index alone, for everyone or for one client
-- organisation, instead of every case row with a hold and a request looked up for each
-- (measured at 1,000,000 cases: 1.0 s median for a supervisor).
CREATE INDEX cases_archive_state ON cases (client_org_id, status, retain_until, destroyed_at);
