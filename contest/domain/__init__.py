"""The contest's rules as plain Python: no Flask, no database."""
