DROP INDEX payment_installments_plan;
DROP INDEX orders_customer_end;
DROP INDEX orders_service_end_report;
DROP INDEX audit_log_levels;
DROP INDEX tickets_created_report;
DROP INDEX opportunities_created;
DROP INDEX activities_report;
