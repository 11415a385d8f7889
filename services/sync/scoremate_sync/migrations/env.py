from scoremate_shared.migrations import run_migrations_online
from scoremate_sync.models import Base

run_migrations_online(Base.metadata)
