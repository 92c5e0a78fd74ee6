#!/bin/bash
# Runs once, when the postgres container initialises an empty data volume.
# rcm_owner owns the schema (migrations run as it); rcm_app is what the application connects
# as: no superuser, no BYPASSRLS, owns nothing, so row-level security applies to it.
set -euo pipefail

: "${RCM_DB_OWNER_PASSWORD:?RCM_DB_OWNER_PASSWORD must be set}"
: "${RCM_DB_APP_PASSWORD:?RCM_DB_APP_PASSWORD must be set}"

psql -v ON_ERROR_STOP=1 --no-psqlrc \
    --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    -v db="${RCM_DB_NAME:-rcm}" \
    -v owner_pw="$RCM_DB_OWNER_PASSWORD" \
    -v app_pw="$RCM_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE rcm_owner WITH LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION
    PASSWORD :'owner_pw';
CREATE ROLE rcm_app WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION
    PASSWORD :'app_pw';
CREATE DATABASE :"db" OWNER rcm_owner TEMPLATE template0 ENCODING 'UTF8';
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO rcm_app;
\connect :"db"
ALTER SCHEMA public OWNER TO rcm_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO rcm_app;
SQL
