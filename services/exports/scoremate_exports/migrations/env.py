from scoremate_exports.models import Base
from scoremate_shared.migrations import run_migrations_online

run_migrations_online(Base.metadata)
