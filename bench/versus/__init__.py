"""bench.versus: ScoreMate against the Django + DRF peer, and the library against its floor."""
