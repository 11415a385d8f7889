"""The bus: outbox (publish with the change), inbox (consume once), broker and subscribers."""
