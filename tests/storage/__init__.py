"""Tests of storage/: the store on SQLite and PostgreSQL, migrations, export."""
