"""Operating the site: backups and restores of the configured database."""
