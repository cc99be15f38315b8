//! API tests: the real server on port 0 with a fresh database per test, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)]

mod support;

mod activities;
mod auth;
mod authorization;
mod backup;
mod cli;
mod conventions;
mod cookbook;
mod customers;
mod documents;
mod expenses;
mod exports;
mod hardening;
mod imports;
mod input;
mod instances;
mod knowledge;
mod openapi;
mod opportunities;
mod orders;
mod org;
mod pool;
mod reminders;
mod renewal_report;
mod renewals;
mod reports;
mod scorecard;
mod search;
mod tickets;
mod transfers;
mod web_app;
mod webhooks;
