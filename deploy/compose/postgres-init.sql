-- One database, one login role per service allowed to create its own schema (as the native
-- stack does in deploy/local/scoremate_stack/infra.py). Development passwords only.
CREATE DATABASE scoremate;
CREATE ROLE auth LOGIN PASSWORD 'auth-dev-pw';
CREATE ROLE files LOGIN PASSWORD 'files-dev-pw';
CREATE ROLE library LOGIN PASSWORD 'library-dev-pw';
CREATE ROLE processor LOGIN PASSWORD 'processor-dev-pw';
CREATE ROLE billing LOGIN PASSWORD 'billing-dev-pw';
CREATE ROLE sync LOGIN PASSWORD 'sync-dev-pw';
CREATE ROLE exports LOGIN PASSWORD 'exports-dev-pw';
GRANT CREATE ON DATABASE scoremate TO auth, files, library, processor, billing, sync, exports;
