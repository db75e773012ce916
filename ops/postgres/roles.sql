-- One role per database instead of a shared superuser: each program connects as the role of its
-- own database (the payments service and worker as `payments`; the orders service, worker and
-- relay as `orders`; the gateway as `gateway`; the Temporal server as `temporal`), owns that
-- database and can reach no other. None is a superuser or may create roles. The postgres image runs
-- this once, as its superuser, when its data folder is new (/docker-entrypoint-initdb.d); the
-- passwords come from its environment (psql's \getenv). test/docker-compose.test.ts runs it on a
-- real PostgreSQL and the programs as these roles.
\set ON_ERROR_STOP on
\getenv payments_password PAYMENTS_DB_PASSWORD
\getenv orders_password ORDERS_DB_PASSWORD
\getenv gateway_password GATEWAY_DB_PASSWORD
\getenv temporal_password TEMPORAL_DB_PASSWORD

CREATE ROLE payments LOGIN PASSWORD :'payments_password';
CREATE DATABASE payments OWNER payments;
REVOKE ALL ON DATABASE payments FROM PUBLIC;

CREATE ROLE orders LOGIN PASSWORD :'orders_password';
CREATE DATABASE orders OWNER orders;
REVOKE ALL ON DATABASE orders FROM PUBLIC;

CREATE ROLE gateway LOGIN PASSWORD :'gateway_password';
CREATE DATABASE gateway OWNER gateway;
REVOKE ALL ON DATABASE gateway FROM PUBLIC;

-- Temporal's SQL tool creates its two databases itself (create-database issues CREATE DATABASE,
-- which needs this right even when the database is there), and so owns them.
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
