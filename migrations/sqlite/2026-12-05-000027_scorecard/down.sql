DROP INDEX audit_log_levels;
DROP INDEX tickets_created_report;
DROP INDEX opportunities_created;
DROP INDEX activities_report;
